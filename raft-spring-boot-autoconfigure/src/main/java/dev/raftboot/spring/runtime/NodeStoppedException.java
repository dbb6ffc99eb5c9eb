package dev.raftboot.spring.runtime;

/** The raft node is not running (not started yet, or stopping). */
public final class NodeStoppedException extends ReplicationException {

  public NodeStoppedException(String message) {
    super(message);
  }
}
