package dev.raftboot;

/** Storage is still building the snapshot; Raft retries later. */
public final class SnapshotTemporarilyUnavailableException extends RaftException {

  public static final SnapshotTemporarilyUnavailableException INSTANCE = new SnapshotTemporarilyUnavailableException();

  private SnapshotTemporarilyUnavailableException() {
    super("snapshot is temporarily unavailable");
  }
}
