package dev.raftboot;

/** The requested index is beyond the last stored entry. */
public final class UnavailableException extends RaftException {

  public static final UnavailableException INSTANCE = new UnavailableException();

  private UnavailableException() {
    super("requested entry at index is unavailable");
  }
}
