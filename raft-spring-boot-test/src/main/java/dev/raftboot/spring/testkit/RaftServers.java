package dev.raftboot.spring.testkit;

import dev.raftboot.StateType;
import dev.raftboot.spring.runtime.RaftServer;

/** Conditions on one node the waits of the kit share. */
final class RaftServers {

  private RaftServers() {}

  /** Whether the node leads and has applied a configuration that makes it a voter. */
  static boolean leadsWithConfiguration(RaftServer server) {
    return server.isRunning()
        && server.metrics().role() == StateType.LEADER
        && server.members().stream().anyMatch(m -> m.id() == server.nodeId() && m.voter());
  }
}
