package dev.raftboot.tracker;

/** How the leader replicates to a follower. {@link #toString()} gives etcd's names. */
public enum ProgressState {
  /** At most one append in flight, until the follower's log position is known. */
  PROBE("StateProbe"),
  /** Appends are streamed optimistically, bounded by the inflight window. */
  REPLICATE("StateReplicate"),
  /** A snapshot is being sent; appends are paused until it is reported. */
  SNAPSHOT("StateSnapshot");

  private final String text;

  ProgressState(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }
}
