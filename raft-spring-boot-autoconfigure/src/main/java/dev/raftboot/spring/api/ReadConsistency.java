package dev.raftboot.spring.api;

/** How current a read must be. */
public enum ReadConsistency {
  /**
   * Linearizable: the leader confirms with a quorum heartbeat round that it still leads (ReadIndex),
   * and the read waits until this node has applied up to the leader's commit index at that time.
   */
  LINEARIZABLE,
  /**
   * Linearizable as long as clocks run at similar rates (within 10%): on the leader, for a while
   * after a quorum acknowledged a heartbeat round it started (two ticks short of an election
   * timeout, less 10%), reads are answered without another round; when that lease has run out the
   * read makes a round and renews it. On a follower it behaves as {@link #LINEARIZABLE}. Requires
   * {@code raft.check-quorum=true}; otherwise it behaves as {@link #LINEARIZABLE} everywhere.
   */
  LEASE,
  /** This node's current state, which may be stale on a follower or a partitioned leader. */
  LOCAL
}
