package dev.raftboot.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Randomized cross-checks of the quorum arithmetic against {@link NaiveQuorum}: the committed
 * index of a majority and of a joint configuration, and vote outcomes.
 */
class QuorumPropertyTest {

  @Provide
  Arbitrary<Set<Long>> voters() {
    return Arbitraries.longs().between(1, 9).set().ofMinSize(1).ofMaxSize(7);
  }

  @Provide
  Arbitrary<Map<Long, Long>> acks() {
    return Arbitraries.maps(Arbitraries.longs().between(1, 9), Arbitraries.longs().between(0, 20))
        .ofMaxSize(9);
  }

  @Provide
  Arbitrary<Map<Long, Boolean>> votes() {
    return Arbitraries.maps(Arbitraries.longs().between(1, 9), Arbitraries.of(true, false))
        .ofMaxSize(9);
  }

  private static AckedIndexer indexer(Map<Long, Long> acks) {
    return id -> acks.getOrDefault(id, AckedIndexer.NOT_FOUND);
  }

  /** The committed index is the largest index a strict majority has acked (unknown = 0). */
  @Property(tries = 500)
  void majorityCommittedIndexMatchesNaive(
      @ForAll("voters") Set<Long> voters, @ForAll("acks") Map<Long, Long> acks) {
    MajorityConfig c = new MajorityConfig(voters);
    assertThat(c.committedIndex(indexer(acks)))
        .isEqualTo(NaiveQuorum.committed(voters, indexer(acks)));
  }

  /** A joint configuration commits what both halves commit: the smaller of the two. */
  @Property(tries = 500)
  void jointCommittedIndexIsMinimumOfHalves(
      @ForAll("voters") Set<Long> in,
      @ForAll("voters") Set<Long> out,
      @ForAll("acks") Map<Long, Long> acks) {
    JointConfig j = new JointConfig(new MajorityConfig(in), new MajorityConfig(out));
    long a = NaiveQuorum.committed(in, indexer(acks));
    long b = NaiveQuorum.committed(out, indexer(acks));
    assertThat(j.committedIndex(indexer(acks))).isEqualTo(Math.min(a, b));
    // A joint config with an empty outgoing half behaves like its incoming half.
    JointConfig single = new JointConfig(new MajorityConfig(in), new MajorityConfig());
    assertThat(single.committedIndex(indexer(acks))).isEqualTo(a);
  }

  /** Vote outcomes: won with a majority of yes, lost once a majority is out of reach. */
  @Property(tries = 500)
  void voteResultMatchesNaive(
      @ForAll("voters") Set<Long> in,
      @ForAll("voters") Set<Long> out,
      @ForAll("votes") Map<Long, Boolean> votes) {
    assertThat(new MajorityConfig(in).voteResult(votes)).isEqualTo(NaiveQuorum.vote(in, votes));
    VoteResult a = NaiveQuorum.vote(in, votes);
    VoteResult b = NaiveQuorum.vote(out, votes);
    VoteResult want =
        a == b
            ? a
            : (a == VoteResult.LOST || b == VoteResult.LOST ? VoteResult.LOST : VoteResult.PENDING);
    assertThat(new JointConfig(new MajorityConfig(in), new MajorityConfig(out)).voteResult(votes))
        .isEqualTo(want);
  }

  /** Adding acks never lowers the committed index (monotonicity). */
  @Property(tries = 300)
  void moreAcksNeverLowerTheCommittedIndex(
      @ForAll("voters") Set<Long> voters, @ForAll("acks") Map<Long, Long> acks) {
    MajorityConfig c = new MajorityConfig(voters);
    long before = c.committedIndex(indexer(acks));
    Map<Long, Long> more = new HashMap<>(acks);
    for (long v : List.copyOf(voters)) {
      more.merge(v, 1L, (x, y) -> x + y);
    }
    assertThat(c.committedIndex(indexer(more))).isGreaterThanOrEqualTo(before);
  }
}
