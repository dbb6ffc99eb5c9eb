package dev.raftboot.quorum;

import java.util.Collection;
import java.util.Map;

/** Slow, obviously correct quorum arithmetic to check the real implementation against. */
final class NaiveQuorum {

  private NaiveQuorum() {}

  /** The largest acked index that at least a majority of the voters has reached. */
  static long committed(Collection<Long> voters, AckedIndexer l) {
    if (voters.isEmpty()) {
      return -1L;
    }
    long best = 0;
    for (long candidate : voters) {
      long c = acked(l, candidate);
      int reached = 0;
      for (long v : voters) {
        if (Long.compareUnsigned(acked(l, v), c) >= 0) {
          reached++;
        }
      }
      if (2 * reached > voters.size() && Long.compareUnsigned(c, best) > 0) {
        best = c;
      }
    }
    return best;
  }

  /** Won once yes votes are a strict majority, lost once no votes make that impossible. */
  static VoteResult vote(Collection<Long> voters, Map<Long, Boolean> votes) {
    int yes = 0;
    int no = 0;
    for (long v : voters) {
      Boolean b = votes.get(v);
      if (b != null && b) {
        yes++;
      } else if (b != null) {
        no++;
      }
    }
    if (2 * yes > voters.size() || voters.isEmpty()) {
      return VoteResult.WON;
    }
    return 2 * no >= voters.size() ? VoteResult.LOST : VoteResult.PENDING;
  }

  private static long acked(AckedIndexer l, long id) {
    long a = l.ackedIndex(id);
    return a == AckedIndexer.NOT_FOUND ? 0 : a;
  }
}
