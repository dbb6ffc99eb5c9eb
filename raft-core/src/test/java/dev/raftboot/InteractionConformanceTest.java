package dev.raftboot;

import dev.raftboot.datadriven.ConformanceFiles;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays etcd raft's interaction scripts ({@code testdata/*.txt} under the directory named by the
 * system property {@code raft.conformance.dir}) against this library, one dynamic test per file,
 * each with a fresh {@link InteractionEnv}. Skipped when the directory is absent.
 */
class InteractionConformanceTest {

  @TestFactory
  Stream<DynamicTest> interaction() {
    return ConformanceFiles.tests(
        "testdata",
        path -> {
          InteractionEnv env = new InteractionEnv();
          return env::handle;
        });
  }
}
