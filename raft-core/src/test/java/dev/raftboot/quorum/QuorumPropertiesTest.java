package dev.raftboot.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

class QuorumPropertiesTest {

  /** A voter set with acks (absent: unknown) and votes (absent: not voted) for some voters. */
  record Case(Set<Long> voters, Map<Long, Long> acks, Map<Long, Boolean> votes) {
    AckedIndexer indexer() {
      return id -> acks.getOrDefault(id, AckedIndexer.NOT_FOUND);
    }
  }

  /** Mostly small IDs, so that joint halves overlap, and some with the top bit set. */
  private static Arbitrary<Long> ids() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.longs().between(1, 12)), Tuple.of(1, Arbitraries.longs()));
  }

  /** Mostly small indexes, so that ties are common, and some beyond 2^63. */
  private static Arbitrary<Long> indexes() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.longs().between(0, 20)),
        Tuple.of(1, Arbitraries.longs().filter(l -> l != AckedIndexer.NOT_FOUND)));
  }

  private static final int MAX_VOTERS = 9;

  /**
   * Acks and votes are drawn per position in the voter list: {@code null} for an unknown ack, and
   * 0, 1, 2 for no vote, no and yes.
   */
  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<List<Long>> voters = ids().list().uniqueElements().ofMaxSize(MAX_VOTERS);
    Arbitrary<List<Long>> acks = indexes().injectNull(0.2).list().ofSize(MAX_VOTERS);
    Arbitrary<List<Integer>> votes = Arbitraries.integers().between(0, 2).list().ofSize(MAX_VOTERS);
    return Combinators.combine(voters, acks, votes)
        .as(
            (vs, as, bs) -> {
              Map<Long, Long> ackMap = new HashMap<>();
              Map<Long, Boolean> voteMap = new HashMap<>();
              for (int i = 0; i < vs.size(); i++) {
                if (as.get(i) != null) {
                  ackMap.put(vs.get(i), as.get(i));
                }
                if (bs.get(i) != 0) {
                  voteMap.put(vs.get(i), bs.get(i) == 2);
                }
              }
              return new Case(Set.copyOf(vs), ackMap, voteMap);
            });
  }

  @Property(tries = 300)
  void committedIndexMatchesNaiveComputation(@ForAll("cases") Case c) {
    MajorityConfig m = new MajorityConfig(c.voters());
    assertThat(m.committedIndex(c.indexer()))
        .isEqualTo(NaiveQuorum.committed(c.voters(), c.indexer()));
  }

  @Property(tries = 300)
  void committedIndexStaysCorrectAcrossMutations(
      @ForAll("cases") Case c, @ForAll("cases") Case other) {
    MajorityConfig m = new MajorityConfig(c.voters());
    m.committedIndex(c.indexer());
    other.voters().forEach(m::add);
    c.voters().stream().filter(id -> id % 2 == 0).forEach(m::remove);
    assertThat(m.committedIndex(c.indexer()))
        .isEqualTo(NaiveQuorum.committed(m.ids(), c.indexer()));
  }

  @Property(tries = 300)
  void jointCommittedIsTheMinimumOfTheHalves(@ForAll("cases") Case in, @ForAll("cases") Case out) {
    Map<Long, Long> acks = new HashMap<>(out.acks());
    acks.putAll(in.acks());
    AckedIndexer l = id -> acks.getOrDefault(id, AckedIndexer.NOT_FOUND);
    long a = NaiveQuorum.committed(in.voters(), l);
    long b = NaiveQuorum.committed(out.voters(), l);
    long expected = Long.compareUnsigned(a, b) <= 0 ? a : b;
    JointConfig j =
        new JointConfig(new MajorityConfig(in.voters()), new MajorityConfig(out.voters()));
    JointConfig swapped = new JointConfig(j.outgoing(), j.incoming());
    assertThat(j.committedIndex(l)).isEqualTo(expected);
    assertThat(swapped.committedIndex(l)).isEqualTo(expected);
  }

  @Property(tries = 300)
  void voteResultMatchesNaiveComputation(@ForAll("cases") Case c) {
    assertThat(new MajorityConfig(c.voters()).voteResult(c.votes()))
        .isEqualTo(NaiveQuorum.vote(c.voters(), c.votes()));
  }

  @Property(tries = 300)
  void jointVoteNeedsBothHalves(@ForAll("cases") Case in, @ForAll("cases") Case out) {
    Map<Long, Boolean> votes = new HashMap<>(out.votes());
    votes.putAll(in.votes());
    VoteResult a = NaiveQuorum.vote(in.voters(), votes);
    VoteResult b = NaiveQuorum.vote(out.voters(), votes);
    VoteResult expected;
    if (a == VoteResult.WON && b == VoteResult.WON) {
      expected = VoteResult.WON;
    } else if (a == VoteResult.LOST || b == VoteResult.LOST) {
      expected = VoteResult.LOST;
    } else {
      expected = VoteResult.PENDING;
    }
    JointConfig j =
        new JointConfig(new MajorityConfig(in.voters()), new MajorityConfig(out.voters()));
    assertThat(j.voteResult(votes)).isEqualTo(expected);
    assertThat(new JointConfig(j.outgoing(), j.incoming()).voteResult(votes)).isEqualTo(expected);
  }
}
