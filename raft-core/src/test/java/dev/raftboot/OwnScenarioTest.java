package dev.raftboot;

import dev.raftboot.datadriven.ConformanceFiles;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs our own interaction scenarios ({@code src/test/resources/scenarios/*.txt}): scripts in the
 * format of etcd raft's interaction tests for what the upstream scripts do not cover (ReadIndex,
 * lease-based reads, DisableProposalForwarding, MaxUncommittedEntriesSize, leader transfer
 * timeout). One dynamic test per file, each with a fresh {@link InteractionEnv}; the commands,
 * including our additions, are documented on {@link InteractionEnv}.
 *
 * <p>The files are read from {@code src/test/resources/scenarios} when the test runs in the module
 * directory (as under Maven), otherwise from the classpath.
 *
 * <p>Rewrite mode: with {@code -Draft.scenarios.rewrite=true} every file's expected outputs are
 * regenerated from the actual outputs in place (SPEC §2.1.7), for example
 *
 * <pre>
 * mvn -B -o -pl raft-core test -Dtest=OwnScenarioTest -Draft.scenarios.rewrite=true
 * </pre>
 *
 * <p>A rewritten expectation is only a proposal: read the diff and confirm that it is correct Raft
 * behaviour before committing it.
 */
class OwnScenarioTest {

  /** System property that switches on rewrite mode. */
  static final String REWRITE_PROPERTY = "raft.scenarios.rewrite";

  /** The source directory of the scenarios, relative to the module directory. */
  static final Path SOURCE_DIR = Path.of("src", "test", "resources", "scenarios");

  @TestFactory
  Stream<DynamicTest> scenarios() {
    boolean rewrite = Boolean.getBoolean(REWRITE_PROPERTY);
    return ConformanceFiles.testsIn(
        scenarioDir(rewrite),
        rewrite,
        path -> {
          InteractionEnv env = new InteractionEnv();
          return env::handle;
        });
  }

  static Path scenarioDir(boolean rewrite) {
    if (Files.isDirectory(SOURCE_DIR)) {
      return SOURCE_DIR;
    }
    if (rewrite) {
      throw new IllegalStateException(
          "rewrite mode needs the source directory "
              + SOURCE_DIR.toAbsolutePath()
              + "; run from the raft-core module directory");
    }
    URL url = OwnScenarioTest.class.getResource("/scenarios");
    if (url == null) {
      throw new IllegalStateException(
          "scenarios not found: neither " + SOURCE_DIR.toAbsolutePath() + " nor classpath /scenarios");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
