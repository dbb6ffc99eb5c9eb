package dev.raftboot;

/** The node was stopped. */
public final class StoppedException extends RaftException {

  public static final StoppedException INSTANCE = new StoppedException();

  private StoppedException() {
    super("raft: stopped");
  }
}
