package dev.raftboot.spring.runtime;

/** How current a read must be. */
public enum ReadConsistency {
  /**
   * Linearizable: the leader confirms with a quorum heartbeat round that it still leads (ReadIndex),
   * and the read waits until this node has applied up to the leader's commit index at that time.
   */
  LINEARIZABLE,
  /**
   * Linearizable as long as clocks run at similar rates: the leader answers from its lease without
   * a heartbeat round. Requires {@code raft.check-quorum=true}; otherwise it behaves as {@link
   * #LINEARIZABLE}.
   */
  LEASE,
  /** This node's current state, which may be stale on a follower or a partitioned leader. */
  LOCAL
}
