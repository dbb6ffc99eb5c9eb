package dev.raftboot.quorum;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A set of voters that decides by simple majority.
 *
 * <p>IDs are uint64 and kept in unsigned ascending order. Instances are mutable and not
 * thread-safe: {@link #committedIndex} reuses an internal buffer so that it does not allocate.
 */
public final class MajorityConfig {

  private final TreeSet<Long> ids = new TreeSet<>(Long::compareUnsigned);
  private final SortedSet<Long> view = Collections.unmodifiableSortedSet(ids);

  /** {@link #ids} as an array; {@code null} after a change until next needed. */
  private long[] sorted;

  /** Work space for {@link #committedIndex}, as long as {@link #sorted}. */
  private long[] scratch;

  public MajorityConfig() {}

  public MajorityConfig(Collection<Long> ids) {
    this.ids.addAll(ids);
  }

  public boolean contains(long id) {
    return ids.contains(id);
  }

  public void add(long id) {
    if (ids.add(id)) {
      sorted = null;
    }
  }

  public void remove(long id) {
    if (ids.remove(id)) {
      sorted = null;
    }
  }

  public int size() {
    return ids.size();
  }

  public boolean isEmpty() {
    return ids.isEmpty();
  }

  /** The voter IDs in ascending order, as a fresh array. */
  public long[] slice() {
    return sortedIds().clone();
  }

  /** Unmodifiable live view of the voter IDs, ascending. */
  public SortedSet<Long> ids() {
    return view;
  }

  public MajorityConfig copy() {
    return new MajorityConfig(ids);
  }

  /**
   * The largest index that a majority of the voters has acked: the committed index. Voters without
   * a known ack count as having acked 0. An empty config returns 2^64-1 ({@code -1L}), so that it
   * never holds back the other half of a joint config.
   */
  public long committedIndex(AckedIndexer l) {
    long[] voters = sortedIds();
    int n = voters.length;
    if (n == 0) {
      return -1L;
    }
    // Flipping the sign bit makes a signed sort order the values as unsigned.
    long[] acked = scratch;
    for (int i = 0; i < n; i++) {
      long idx = l.ackedIndex(voters[i]);
      acked[i] = (idx == AckedIndexer.NOT_FOUND ? 0 : idx) ^ Long.MIN_VALUE;
    }
    Arrays.sort(acked, 0, n);
    // With the acks ascending, every voter from this position on has acked at least this much,
    // and there are n/2+1 of them: a majority.
    return acked[n - (n / 2 + 1)] ^ Long.MIN_VALUE;
  }

  /**
   * The result of a vote: won with a majority of yes votes, lost when a majority can no longer be
   * reached, pending otherwise. {@code votes} maps voter ID to its vote; absent means not yet
   * voted. An empty config wins every vote.
   */
  public VoteResult voteResult(Map<Long, Boolean> votes) {
    if (ids.isEmpty()) {
      return VoteResult.WON;
    }
    int yes = 0;
    int missing = 0;
    for (Long id : ids) {
      Boolean v = votes.get(id);
      if (v == null) {
        missing++;
      } else if (v) {
        yes++;
      }
    }
    int quorum = ids.size() / 2 + 1;
    if (yes >= quorum) {
      return VoteResult.WON;
    }
    return yes + missing >= quorum ? VoteResult.PENDING : VoteResult.LOST;
  }

  /**
   * A diagram of the acked indexes, one line per voter, with a bar whose length is the voter's rank
   * by acked index (equal indexes get equal bars) and {@code ?} for an unknown ack. The output for
   * an empty config is {@code <empty majority quorum>} without a newline.
   */
  public String describe(AckedIndexer l) {
    long[] voters = sortedIds();
    int n = voters.length;
    if (n == 0) {
      return "<empty majority quorum>";
    }
    long[] idx = new long[n];
    boolean[] known = new boolean[n];
    Integer[] byIndex = new Integer[n];
    for (int i = 0; i < n; i++) {
      long a = l.ackedIndex(voters[i]);
      known[i] = a != AckedIndexer.NOT_FOUND;
      idx[i] = known[i] ? a : 0;
      byIndex[i] = i;
    }
    // Stable sort: ties keep ascending ID order.
    Arrays.sort(byIndex, (a, b) -> Long.compareUnsigned(idx[a], idx[b]));
    int[] bar = new int[n];
    for (int r = 1; r < n; r++) {
      int prev = byIndex[r - 1];
      int cur = byIndex[r];
      bar[cur] = Long.compareUnsigned(idx[prev], idx[cur]) < 0 ? r : bar[prev];
    }
    StringBuilder sb = new StringBuilder();
    sb.append(" ".repeat(n)).append("    idx\n");
    for (int i = 0; i < n; i++) {
      if (known[i]) {
        sb.append("x".repeat(bar[i])).append('>').append(" ".repeat(n - bar[i]));
      } else {
        sb.append('?').append(" ".repeat(n));
      }
      sb.append(String.format(" %5s    (id=%x)\n", Long.toUnsignedString(idx[i]), voters[i]));
    }
    return sb.toString();
  }

  /** The IDs in hex, for example {@code (1 2 3)}; {@code ()} when empty. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("(");
    for (Long id : ids) {
      if (sb.length() > 1) {
        sb.append(' ');
      }
      sb.append(Long.toHexString(id));
    }
    return sb.append(')').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MajorityConfig other && ids.equals(other.ids);
  }

  @Override
  public int hashCode() {
    return ids.hashCode();
  }

  private long[] sortedIds() {
    if (sorted == null) {
      sorted = ids.stream().mapToLong(Long::longValue).toArray();
      scratch = new long[sorted.length];
    }
    return sorted;
  }
}
