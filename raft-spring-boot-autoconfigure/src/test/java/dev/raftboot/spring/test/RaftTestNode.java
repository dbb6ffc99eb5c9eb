package dev.raftboot.spring.test;

import static org.awaitility.Awaitility.await;

import dev.raftboot.spring.runtime.RaftServer;
import java.nio.file.Path;
import java.time.Duration;

/** Properties and waits shared by tests that run a real {@link RaftServer} on a no-op transport. */
public final class RaftTestNode {

  private RaftTestNode() {}

  /** Node 1 alone: it elects itself within a few ticks of 10 ms. */
  public static String[] singleNode(Path dataDir) {
    return new String[] {
      "raft.node-id=1",
      "raft.peers.1=http://localhost:8081",
      "raft.tick-interval=10ms",
      "raft.storage.data-dir=" + dataDir.toAbsolutePath()
    };
  }

  /** Node 1 of two voters whose peer never answers: it never knows a leader. */
  public static String[] leaderlessNode(Path dataDir) {
    return new String[] {
      "raft.node-id=1",
      "raft.peers.1=http://localhost:8081",
      "raft.peers.2=http://localhost:8082",
      "raft.tick-interval=10ms",
      "raft.command-timeout=10s",
      "raft.storage.data-dir=" + dataDir.toAbsolutePath()
    };
  }

  /** Waits until the node leads and has applied its bootstrap configuration (generous: CI is shared). */
  public static void awaitLeader(RaftServer server) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                server.metrics().leaderId() == server.nodeId()
                    && server.members().stream().anyMatch(m -> m.id() == server.nodeId()));
  }
}
