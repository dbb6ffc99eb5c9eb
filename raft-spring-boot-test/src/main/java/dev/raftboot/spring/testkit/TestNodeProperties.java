package dev.raftboot.spring.testkit;

import java.nio.file.Path;
import java.util.Map;

/** Properties every node the kit starts shares. */
public final class TestNodeProperties {

  private TestNodeProperties() {}

  /**
   * The log in an H2 file database of its own in {@code dataDir}: not the application's DataSource
   * and not a configured {@code raft.storage.jdbc.url}, which a test must never write to. A node
   * whose storage fails stays down instead of exiting the JVM that runs the tests.
   */
  public static Map<String, Object> storage(Path dataDir) {
    return Map.of(
        "raft.storage.data-dir", dataDir.toAbsolutePath().toString(),
        "raft.storage.jdbc.url", "",
        "raft.storage.use-application-datasource", false,
        "raft.storage.on-failure", "stay-down");
  }
}
