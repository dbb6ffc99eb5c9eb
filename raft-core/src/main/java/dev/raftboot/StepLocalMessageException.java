package dev.raftboot;

/** A node-local message type was stepped from outside the node. */
public final class StepLocalMessageException extends RaftException {

  public static final StepLocalMessageException INSTANCE = new StepLocalMessageException();

  private StepLocalMessageException() {
    super("raft: cannot step raft local message");
  }
}
