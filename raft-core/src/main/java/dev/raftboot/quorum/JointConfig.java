package dev.raftboot.quorum;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Two majority configs that must both agree: the incoming config and, during a membership change,
 * the outgoing one. When not in a joint state the outgoing half is empty, and an empty half agrees
 * with everything, so the incoming half alone decides.
 */
public final class JointConfig {

  private final MajorityConfig incoming;
  private final MajorityConfig outgoing;

  /** An empty, non-joint config. */
  public JointConfig() {
    this(new MajorityConfig(), new MajorityConfig());
  }

  /** A config over the given halves, which are used as they are (not copied). */
  public JointConfig(MajorityConfig incoming, MajorityConfig outgoing) {
    this.incoming = Objects.requireNonNull(incoming, "incoming");
    this.outgoing = Objects.requireNonNull(outgoing, "outgoing");
  }

  /** The incoming (new) voters; mutable, never null. */
  public MajorityConfig incoming() {
    return incoming;
  }

  /** The outgoing (old) voters; mutable, never null, empty when not joint. */
  public MajorityConfig outgoing() {
    return outgoing;
  }

  /** Whether a membership change is in progress, that is the outgoing half is non-empty. */
  public boolean isJoint() {
    return !outgoing.isEmpty();
  }

  /** The voters of both halves, ascending, as an unmodifiable snapshot. */
  public SortedSet<Long> ids() {
    TreeSet<Long> all = new TreeSet<>(incoming.ids());
    all.addAll(outgoing.ids());
    return Collections.unmodifiableSortedSet(all);
  }

  /** The smaller of the two halves' committed indexes (2^64-1 when both are empty). */
  public long committedIndex(AckedIndexer l) {
    long in = incoming.committedIndex(l);
    long out = outgoing.committedIndex(l);
    return Long.compareUnsigned(in, out) <= 0 ? in : out;
  }

  /** Won if both halves won, lost if either lost, pending otherwise. */
  public VoteResult voteResult(Map<Long, Boolean> votes) {
    VoteResult in = incoming.voteResult(votes);
    VoteResult out = outgoing.voteResult(votes);
    if (in == out) {
      return in;
    }
    if (in == VoteResult.LOST || out == VoteResult.LOST) {
      return VoteResult.LOST;
    }
    return VoteResult.PENDING;
  }

  /** {@link MajorityConfig#describe} of the union of both halves. */
  public String describe(AckedIndexer l) {
    return new MajorityConfig(ids()).describe(l);
  }

  /** {@code (1 2)&&(1)} when joint, else just the incoming half, e.g. {@code (1 2)}. */
  @Override
  public String toString() {
    return outgoing.isEmpty() ? incoming.toString() : incoming + "&&" + outgoing;
  }

  /** A deep copy. */
  public JointConfig copy() {
    return new JointConfig(incoming.copy(), outgoing.copy());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JointConfig other
        && incoming.equals(other.incoming)
        && outgoing.equals(other.outgoing);
  }

  @Override
  public int hashCode() {
    return 31 * incoming.hashCode() + outgoing.hashCode();
  }
}
