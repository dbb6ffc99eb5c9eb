package dev.raftboot;

import dev.raftboot.datadriven.DataDriven;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The project's own interaction scripts ({@code src/test/resources/interaction/*.txt}), in the same
 * format as etcd raft's, for behaviour those do not cover: read index (safe and lease-based),
 * proposal forwarding turned off, the uncommitted-size limit, and the harness's own commands and
 * error paths.
 */
class InteractionScenarioTest {

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException, URISyntaxException {
    URL dir = getClass().getResource("/interaction");
    if (dir == null) {
      throw new AssertionError("test resource folder interaction/ is missing");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of(dir.toURI()))) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
    }
    return files.stream()
        .map(
            p -> {
              String name = p.getFileName().toString();
              return DynamicTest.dynamicTest(
                  name.substring(0, name.length() - ".txt".length()),
                  p.toUri(),
                  () -> DataDriven.run(p, new InteractionEnv()::handle));
            });
  }
}
