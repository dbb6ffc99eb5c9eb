package dev.raftboot;

/** How read-only requests are made linearizable. */
public enum ReadOnlyOption {
  /** Confirm leadership with a quorum heartbeat round for every read index (the default). */
  SAFE,
  /**
   * Trust the leader lease instead of a heartbeat round. Correct only while clock drift stays well
   * below the election timeout; requires CheckQuorum.
   */
  LEASE_BASED
}
