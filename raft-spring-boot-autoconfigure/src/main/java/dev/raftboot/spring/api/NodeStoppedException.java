package dev.raftboot.spring.api;

/**
 * The raft node is not running (not started yet, or stopping), or did not answer: the command did
 * not leave this node, so it was not applied. A command that had left it when it stopped fails
 * with {@link StoppedBeforeAppliedException}.
 */
public final class NodeStoppedException extends NotAppliedException {

  public NodeStoppedException(String message) {
    super(message);
  }
}
