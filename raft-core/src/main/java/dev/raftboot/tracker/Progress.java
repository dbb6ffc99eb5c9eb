package dev.raftboot.tracker;

import java.util.Objects;

/**
 * The leader's view of one follower's log: what it has ({@code match}), what to send next ({@code
 * next}), and how sending is throttled ({@link ProgressState}, {@link Inflights}).
 *
 * <p>Indexes are uint64; they are compared as unsigned.
 */
public final class Progress {

  private long match;
  private long next;
  private long sentCommit;
  private ProgressState state = ProgressState.PROBE;
  private long pendingSnapshot;
  private boolean recentActive;
  private boolean msgAppFlowPaused;
  private final Inflights inflights;
  private boolean learner;

  /** A progress in {@link ProgressState#PROBE}, not paused, with nothing sent. */
  public Progress(
      long match, long next, Inflights inflights, boolean isLearner, boolean recentActive) {
    this.match = match;
    this.next = next;
    this.inflights = Objects.requireNonNull(inflights, "inflights");
    this.learner = isLearner;
    this.recentActive = recentActive;
  }

  /** The highest index known to be in the follower's log. */
  public long match() {
    return match;
  }

  public void setMatch(long m) {
    match = m;
  }

  /** The index of the next entry to send. */
  public long next() {
    return next;
  }

  public void setNext(long n) {
    next = n;
  }

  /** The highest commit index sent to the follower. */
  public long sentCommit() {
    return sentCommit;
  }

  public ProgressState state() {
    return state;
  }

  /** The index of the snapshot being sent, in {@link ProgressState#SNAPSHOT}; else 0. */
  public long pendingSnapshot() {
    return pendingSnapshot;
  }

  public void setPendingSnapshot(long i) {
    pendingSnapshot = i;
  }

  /** Whether the follower was heard from lately; reset by the leader's quorum checks. */
  public boolean recentActive() {
    return recentActive;
  }

  public void setRecentActive(boolean b) {
    recentActive = b;
  }

  /** Whether appends to this follower are held back until it responds. */
  public boolean msgAppFlowPaused() {
    return msgAppFlowPaused;
  }

  public void setMsgAppFlowPaused(boolean b) {
    msgAppFlowPaused = b;
  }

  public Inflights inflights() {
    return inflights;
  }

  public boolean isLearner() {
    return learner;
  }

  public void setLearner(boolean b) {
    learner = b;
  }

  /** Moves to {@code s}, unpaused, with no pending snapshot and nothing in flight. */
  public void resetState(ProgressState s) {
    msgAppFlowPaused = false;
    pendingSnapshot = 0;
    state = s;
    inflights.reset();
  }

  /**
   * Moves to {@link ProgressState#PROBE}. After a snapshot, probing starts past it, since the
   * follower is expected to have applied it.
   */
  public void becomeProbe() {
    long base = match;
    if (state == ProgressState.SNAPSHOT && Long.compareUnsigned(pendingSnapshot, match) > 0) {
      base = pendingSnapshot;
    }
    resetState(ProgressState.PROBE);
    next = base + 1;
    sentCommit = minUnsigned(sentCommit, next - 1);
  }

  /** Moves to {@link ProgressState#REPLICATE}, sending from just after {@code match}. */
  public void becomeReplicate() {
    resetState(ProgressState.REPLICATE);
    next = match + 1;
  }

  /** Moves to {@link ProgressState#SNAPSHOT} while the snapshot at {@code snapshoti} is sent. */
  public void becomeSnapshot(long snapshoti) {
    resetState(ProgressState.SNAPSHOT);
    pendingSnapshot = snapshoti;
    next = snapshoti + 1;
    sentCommit = snapshoti;
  }

  /**
   * Records that an append with {@code entries} entries of {@code bytes} total payload was sent. In
   * {@link ProgressState#REPLICATE} the entries go in flight and the flow pauses when the window
   * fills; in {@link ProgressState#PROBE} a non-empty append pauses the flow until the follower
   * answers.
   *
   * @throws IllegalStateException in {@link ProgressState#SNAPSHOT}
   */
  public void sentEntries(int entries, long bytes) {
    switch (state) {
      case REPLICATE -> {
        if (entries > 0) {
          next += entries;
          inflights.add(next - 1, bytes);
        }
        msgAppFlowPaused = inflights.full();
      }
      case PROBE -> {
        if (entries > 0) {
          msgAppFlowPaused = true;
        }
      }
      case SNAPSHOT ->
          throw new IllegalStateException("sending append in unhandled state " + state);
    }
  }

  /**
   * Whether the follower should be told about commit index {@code index}: it is newer than what was
   * sent, and the follower may have entries that the sent commit index does not yet cover.
   */
  public boolean canBumpCommit(long index) {
    return Long.compareUnsigned(index, sentCommit) > 0
        && Long.compareUnsigned(sentCommit, next - 1) < 0;
  }

  /** Records that commit index {@code commit} was sent. */
  public void sentCommit(long commit) {
    sentCommit = commit;
  }

  /**
   * Handles an acknowledgement of the log up to {@code n}. Returns false, changing nothing, if it
   * is not newer than {@code match}; otherwise raises {@code match} (and {@code next} if needed)
   * and unpauses the flow.
   */
  public boolean maybeUpdate(long n) {
    if (Long.compareUnsigned(n, match) <= 0) {
      return false;
    }
    match = n;
    next = maxUnsigned(next, n + 1);
    msgAppFlowPaused = false;
    return true;
  }

  /**
   * Handles a rejection of the append at {@code rejected}, where {@code matchHint} is the
   * follower's guess of the highest index the logs may agree on. Returns false if the rejection is
   * stale (out of order); otherwise moves {@code next} back. In {@link ProgressState#REPLICATE}
   * that is right after {@code match}; otherwise it is towards the hint, never below {@code match +
   * 1}, and the flow is unpaused.
   */
  public boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == ProgressState.REPLICATE) {
      if (Long.compareUnsigned(rejected, match) <= 0) {
        return false;
      }
      next = match + 1;
      sentCommit = minUnsigned(sentCommit, next - 1);
      return true;
    }
    // In probe and snapshot state only the answer to the last probe counts.
    if (next - 1 != rejected) {
      return false;
    }
    next = maxUnsigned(minUnsigned(rejected, matchHint + 1), match + 1);
    sentCommit = minUnsigned(sentCommit, next - 1);
    msgAppFlowPaused = false;
    return true;
  }

  /**
   * Whether sending appends is held back: in probe and replicate as the pause flag says, and always
   * while a snapshot is being sent.
   */
  public boolean isPaused() {
    return switch (state) {
      case PROBE, REPLICATE -> msgAppFlowPaused;
      case SNAPSHOT -> true;
    };
  }

  /** An independent copy, including the inflights. */
  public Progress copy() {
    Progress c = new Progress(match, next, inflights.copy(), learner, recentActive);
    c.sentCommit = sentCommit;
    c.state = state;
    c.pendingSnapshot = pendingSnapshot;
    c.msgAppFlowPaused = msgAppFlowPaused;
    return c;
  }

  /**
   * For example {@code StateReplicate match=11 next=15 paused inflight=3[full]}: state, match and
   * next, then only those of {@code learner}, {@code paused}, {@code pendingSnap=N}, {@code
   * inactive} and {@code inflight=N[full]} that apply.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(state)
        .append(" match=")
        .append(Long.toUnsignedString(match))
        .append(" next=")
        .append(Long.toUnsignedString(next));
    if (learner) {
      sb.append(" learner");
    }
    if (isPaused()) {
      sb.append(" paused");
    }
    if (pendingSnapshot != 0) {
      sb.append(" pendingSnap=").append(Long.toUnsignedString(pendingSnapshot));
    }
    if (!recentActive) {
      sb.append(" inactive");
    }
    if (inflights.count() > 0) {
      sb.append(" inflight=").append(inflights.count());
      if (inflights.full()) {
        sb.append("[full]");
      }
    }
    return sb.toString();
  }

  private static long minUnsigned(long a, long b) {
    return Long.compareUnsigned(a, b) <= 0 ? a : b;
  }

  private static long maxUnsigned(long a, long b) {
    return Long.compareUnsigned(a, b) >= 0 ? a : b;
  }
}
