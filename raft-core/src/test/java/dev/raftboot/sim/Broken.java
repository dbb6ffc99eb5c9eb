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
  /** The application serves reads from the local commit index instead of asking Raft. */
  STALE_READ(Check.READ_INDEX),
  /** Nodes never grant a vote (or pre-vote) to another node: no leader is ever elected. */
  NO_VOTES(Check.LIVENESS);

  /** The check that must detect this variant, null for {@link #NONE}. */
  public final Check expected;

  Broken(Check expected) {
    this.expected = expected;
  }
}
