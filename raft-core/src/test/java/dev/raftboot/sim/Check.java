package dev.raftboot.sim;

/** The properties the simulation checks; each can be switched off to prove another one alone. */
public enum Check {
  /** At most one node is leader in any term. */
  ONE_LEADER_PER_TERM,
  /**
   * Log matching: an entry is identified by its index and term, in every log (the one Raft sees and
   * the one on disk) and at every time: same index and term means the same entry after the same
   * predecessor term, hence identical logs up to there.
   */
  LOG_MATCHING,
  /** Every entry known committed in term T is in the log of every leader of a term after T. */
  LEADER_COMPLETENESS,
  /** No two nodes apply different entries at one index; every node's state at index i agrees. */
  STATE_MACHINE_SAFETY,
  /**
   * A committed entry is durable on a quorum of the committing leader's voters when it commits, and
   * a node that durably holds it never drops it; nodes never disagree on a committed entry.
   */
  COMMITTED_NEVER_LOST,
  /** A read index is at least the commit index known anywhere when the read was requested. */
  READ_INDEX,
  /** After all faults heal there is a leader and a new proposal commits within a bound. */
  LIVENESS,
  /** Raft-core threw where it must not (a panic, or an unexpected exception). Always on. */
  NO_PANIC
}
