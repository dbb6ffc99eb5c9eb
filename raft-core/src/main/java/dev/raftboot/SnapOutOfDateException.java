package dev.raftboot;

/** A snapshot older than the one storage already has was offered. */
public final class SnapOutOfDateException extends RaftException {

  public static final SnapOutOfDateException INSTANCE = new SnapOutOfDateException();

  private SnapOutOfDateException() {
    super("requested index is older than the existing snapshot");
  }
}
