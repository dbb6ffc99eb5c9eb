package dev.raftboot.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuorumPropertiesTest {

  /** A voter set with acks (absent: unknown) and votes (absent: not voted) for some voters. */
  record Case(Set<Long> voters, Map<Long, Long> acks, Map<Long, Boolean> votes) {
    AckedIndexer indexer() {
      return id -> acks.getOrDefault(id, AckedIndexer.NOT_FOUND);
    }
  }

  private static final int MAX_VOTERS = 9;
  private static final int TRIES = 300;

  /** Mostly small IDs, so that joint halves overlap, and some with the top bit set. */
  private static long id(SplittableRandom r) {
    return r.nextInt(5) < 4 ? 1 + r.nextInt(12) : r.nextLong();
  }

  /** Mostly small indexes, so that ties are common, and some beyond 2^63. */
  private static long index(SplittableRandom r) {
    if (r.nextInt(5) < 4) {
      return r.nextInt(21);
    }
    long l;
    do {
      l = r.nextLong();
    } while (l == AckedIndexer.NOT_FOUND);
    return l;
  }

  /** A random case: acks unknown for about a fifth of the voters; votes none, no or yes. */
  static Case randomCase(SplittableRandom r) {
    int n = r.nextInt(MAX_VOTERS + 1);
    java.util.LinkedHashSet<Long> voters = new java.util.LinkedHashSet<>();
    while (voters.size() < n) {
      voters.add(id(r));
    }
    Map<Long, Long> ackMap = new HashMap<>();
    Map<Long, Boolean> voteMap = new HashMap<>();
    for (long v : voters) {
      if (r.nextInt(5) > 0) {
        ackMap.put(v, index(r));
      }
      int vote = r.nextInt(3);
      if (vote != 0) {
        voteMap.put(v, vote == 2);
      }
    }
    return new Case(Set.copyOf(voters), ackMap, voteMap);
  }

  /** Runs {@code check} on {@link #TRIES} seeded cases; a failure names its seed. */
  private static void forAll(java.util.function.BiConsumer<Case, Case> check) {
    for (int seed = 0; seed < TRIES; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      Case a = randomCase(r);
      Case b = randomCase(r);
      try {
        check.accept(a, b);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ": " + a + " / " + b, e);
      }
    }
  }

  @Test
  void committedIndexMatchesNaiveComputation() {
    forAll((c, unused) -> {
    MajorityConfig m = new MajorityConfig(c.voters());
    assertThat(m.committedIndex(c.indexer()))
        .isEqualTo(NaiveQuorum.committed(c.voters(), c.indexer()));
    });
  }

  @Test
  void committedIndexStaysCorrectAcrossMutations() {
    forAll((c, other) -> {
    MajorityConfig m = new MajorityConfig(c.voters());
    m.committedIndex(c.indexer());
    other.voters().forEach(m::add);
    c.voters().stream().filter(id -> id % 2 == 0).forEach(m::remove);
    assertThat(m.committedIndex(c.indexer()))
        .isEqualTo(NaiveQuorum.committed(m.ids(), c.indexer()));
    });
  }

  @Test
  void jointCommittedIsTheMinimumOfTheHalves() {
    forAll((in, out) -> {
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
    });
  }

  @Test
  void voteResultMatchesNaiveComputation() {
    forAll((c, unused) -> {
    assertThat(new MajorityConfig(c.voters()).voteResult(c.votes()))
        .isEqualTo(NaiveQuorum.vote(c.voters(), c.votes()));
    });
  }

  @Test
  void jointVoteNeedsBothHalves() {
    forAll((in, out) -> {
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
    });
  }
}
