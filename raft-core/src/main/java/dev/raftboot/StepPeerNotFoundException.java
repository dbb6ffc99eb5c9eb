package dev.raftboot;

/** A response came from a node that has no progress on this leader. */
public final class StepPeerNotFoundException extends RaftException {

  public static final StepPeerNotFoundException INSTANCE = new StepPeerNotFoundException();

  private StepPeerNotFoundException() {
    super("raft: cannot step as peer not found");
  }
}
