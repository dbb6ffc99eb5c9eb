package dev.raftboot.spring.api;

/**
 * This node stopped after the command had left it and before it applied the command: as leader it
 * had appended the command to its log (and sent it to the followers), or as follower it had
 * forwarded it to the leader. The command may still commit and be applied by the other nodes, and
 * by this one once it restarts; the outcome is unknown. A command that had not left this node
 * fails with {@link NodeStoppedException} instead.
 */
public final class StoppedBeforeAppliedException extends OutcomeUnknownException {

  public StoppedBeforeAppliedException(String message) {
    super(message);
  }
}
