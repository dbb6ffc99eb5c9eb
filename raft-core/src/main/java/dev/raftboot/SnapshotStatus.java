package dev.raftboot;

/** The outcome of sending a snapshot to a follower, reported with {@code reportSnapshot}. */
public enum SnapshotStatus {
  FINISH,
  FAILURE
}
