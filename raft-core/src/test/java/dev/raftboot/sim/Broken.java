package dev.raftboot.sim;

/**
 * Deliberately broken variants of a node, to prove that the checks can fail. Each breaks every node
 * of the cluster by altering or forging messages around an unmodified {@code RawNode}, or by
 * changing what the simulated application does; {@link #expected} names the check that catches it.
 */
public enum Broken {
  /** Correct behaviour. */
  NONE(null),
  /**
   * A voter that has already voted in a term grants a second candidate of that term as well (a
   * forged {@code MsgVoteResp} grant), so two leaders can win one term.
   */
  DOUBLE_VOTE(Check.ONE_LEADER_PER_TERM),
  /**
   * A follower that skips the consistency check of {@code MsgApp}: the message's previous term is
   * rewritten to whatever the follower has at that index, so entries are appended after a
   * different predecessor.
   */
  SKIP_APPEND_CHECK(Check.LOG_MATCHING),
  /**
   * A voter that ignores the up-to-date rule of elections (the candidate's last index and term are
   * rewritten to the voter's own), so a stale node can win and lack committed entries.
   */
  VOTE_FOR_STALE(Check.LEADER_COMPLETENESS),
  /** As {@link #VOTE_FOR_STALE}, checked by the state machine alone: divergent applies follow. */
  VOTE_FOR_STALE_APPLY(Check.STATE_MACHINE_SAFETY),
  /**
   * Asynchronous storage writes whose acknowledgements ({@code MsgAppResp}, votes) leave before
   * the write is durable; a crash then drops entries the leader counted.
   */
  ACK_BEFORE_PERSIST(Check.COMMITTED_NEVER_LOST),
  /**
   * A runtime that never syncs: {@code Ready.mustSync} is taken as always false, as if {@code
   * RawNode.mustSync} returned false (snapshots, written as files, are still synced); acknowledged
   * entries and votes live only in the page cache until a power loss takes them.
   */
  NEVER_SYNC(Check.COMMITTED_NEVER_LOST),
  /**
   * A runtime that writes, then sends the acknowledgements (and, with asynchronous writes, steps
   * the append thread's responses), and syncs only a little later in the background.
   */
  ACK_BEFORE_SYNC(Check.COMMITTED_NEVER_LOST),
  /** The application serves reads from the local commit index instead of asking Raft. */
  STALE_READ(Check.READ_INDEX),
  /**
   * Every read of a CheckQuorum scenario is a lease read of Raft's own ({@code LEASE_BASED}),
   * without the application's lease: a cut-off leader keeps answering until CheckQuorum steps it
   * down, up to two election timeouts after its last contact, while the others may elect a new
   * leader after one.
   */
  RAFT_LEASE(Check.READ_INDEX),
  /**
   * The leader's clock drifts beyond the bound the lease assumes: the clock its lease is measured
   * with runs at a fifth of the speed of the others' clocks, so its lease lasts about five times
   * as long as the others wait before electing a new leader.
   */
  LEASE_CLOCK_DRIFT(Check.READ_INDEX),
  /**
   * A suspended node's clock stops during the suspend instead of jumping ahead when it resumes: a
   * leader's lease survives the pause, during which the others may have elected a new leader.
   */
  LEASE_IGNORES_PAUSE(Check.READ_INDEX),
  /** Nodes never grant a vote (or pre-vote) to another node: no leader is ever elected. */
  NO_VOTES(Check.LIVENESS);

  /** The check that must detect this variant, null for {@link #NONE}. */
  public final Check expected;

  Broken(Check expected) {
    this.expected = expected;
  }
}
