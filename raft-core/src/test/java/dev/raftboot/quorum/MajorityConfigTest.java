package dev.raftboot.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MajorityConfigTest {

  private static final long HIGH = 0xF000_0000_0000_0000L;

  private static AckedIndexer acks(Map<Long, Long> m) {
    return id -> m.getOrDefault(id, AckedIndexer.NOT_FOUND);
  }

  @Test
  void idsAreHexAndUnsignedAscending() {
    MajorityConfig c = new MajorityConfig(List.of(HIGH, 26L, 3L));
    assertThat(c).hasToString("(3 1a f000000000000000)");
    assertThat(c.slice()).containsExactly(3L, 26L, HIGH);
    assertThat(c.ids()).containsExactly(3L, 26L, HIGH);
    assertThat(new MajorityConfig()).hasToString("()");
  }

  @Test
  void mutationIsReflectedInViewAndCommittedIndex() {
    MajorityConfig c = new MajorityConfig(List.of(1L, 2L, 3L));
    AckedIndexer l = acks(Map.of(1L, 5L, 2L, 7L, 3L, 9L, 4L, 8L));
    assertThat(c.committedIndex(l)).isEqualTo(7);
    c.add(4);
    assertThat(c.ids()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(c.committedIndex(l)).isEqualTo(7);
    c.remove(2);
    c.remove(1);
    assertThat(c.committedIndex(l)).isEqualTo(8);
    assertThat(c.size()).isEqualTo(2);
    assertThat(c.contains(2)).isFalse();
  }

  @Test
  void committedIndexComparesUnsigned() {
    MajorityConfig c = new MajorityConfig(List.of(1L, 2L, 3L));
    assertThat(c.committedIndex(acks(Map.of(1L, HIGH, 2L, HIGH, 3L, 1L)))).isEqualTo(HIGH);
    assertThat(c.committedIndex(acks(Map.of(1L, HIGH, 2L, 1L)))).isEqualTo(1L);
  }

  @Test
  void emptyConfigCommitsEverythingAndWinsEveryVote() {
    MajorityConfig c = new MajorityConfig();
    assertThat(c.committedIndex(id -> 0)).isEqualTo(-1L);
    assertThat(c.voteResult(Map.of())).isEqualTo(VoteResult.WON);
    assertThat(c.describe(id -> 0)).isEqualTo("<empty majority quorum>");
  }

  @Test
  void describeRanksByIndexWithTiesSharingABar() {
    MajorityConfig c = new MajorityConfig(List.of(1L, 2L, 3L, 4L));
    String d = c.describe(acks(Map.of(1L, 12L, 2L, 5L, 4L, 5L)));
    assertThat(d)
        .isEqualTo(
            "        idx\n"
                + "xxx>     12    (id=1)\n"
                + "x>        5    (id=2)\n"
                + "?         0    (id=3)\n"
                + "x>        5    (id=4)\n");
  }

  @Test
  void copyAndEquality() {
    MajorityConfig c = new MajorityConfig(List.of(1L, 2L));
    MajorityConfig copy = c.copy();
    assertThat(copy).isEqualTo(c).hasSameHashCodeAs(c);
    c.add(3);
    assertThat(copy).isNotEqualTo(c);
  }

  @Test
  void jointConfigStrings() {
    JointConfig j = new JointConfig(new MajorityConfig(List.of(1L, 2L)), new MajorityConfig());
    assertThat(j).hasToString("(1 2)");
    assertThat(j.isJoint()).isFalse();
    j.outgoing().add(1);
    j.outgoing().add(3);
    assertThat(j).hasToString("(1 2)&&(1 3)");
    assertThat(j.isJoint()).isTrue();
    assertThat(j.ids()).containsExactly(1L, 2L, 3L);
    JointConfig copy = j.copy();
    j.incoming().add(9);
    assertThat(copy).hasToString("(1 2)&&(1 3)");
    assertThat(VoteResult.PENDING).hasToString("VotePending");
  }
}
