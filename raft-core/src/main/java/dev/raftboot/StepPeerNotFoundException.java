package dev.raftboot;

/**  cannot step as peer not found:A response came from a node that has no progress on this leader. */
public final class StepPeerNotFoundException extends RaftException {

  public static final StepPeerNotFoundException INSTANCE = new StepPeerNotFoundException();

  private StepPeerNotFoundException() {
    super("raft");
  }
}
