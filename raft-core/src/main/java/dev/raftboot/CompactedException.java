package dev.raftboot;

/** The requested index is at or below the storage's snapshot index. */
public final class CompactedException extends RaftException {

  public static final CompactedException INSTANCE = new CompactedException();

  private CompactedException() {
    super("requested index is unavailable due to compaction");
  }
}
