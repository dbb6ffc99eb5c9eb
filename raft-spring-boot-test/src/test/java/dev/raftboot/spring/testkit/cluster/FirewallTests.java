package dev.raftboot.spring.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.raftpb.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FirewallTests {

  private final Firewall firewall = new Firewall();

  @Test
  void letsEverythingThroughAtOnceWithoutRules() {
    assertThat(firewall.drops(1, 2, MessageType.MsgApp)).isFalse();
    assertThat(firewall.delayOf(1, 2, MessageType.MsgApp)).isZero();
  }

  @Test
  void anIsolatedNodeNeitherSendsNorReceives() {
    firewall.isolate(2);

    assertThat(firewall.drops(2, 1, MessageType.MsgVote)).isTrue();
    assertThat(firewall.drops(3, 2, MessageType.MsgApp)).isTrue();
    assertThat(firewall.drops(1, 3, MessageType.MsgApp)).isFalse();
  }

  @Test
  void aPartitionCutsBetweenGroupsOnlyAndCutsOffNodesInNoGroup() {
    firewall.partition(Set.of(1L, 2L), Set.of(3L));

    assertThat(firewall.drops(1, 2, MessageType.MsgApp)).isFalse();
    assertThat(firewall.drops(2, 3, MessageType.MsgApp)).isTrue();
    assertThat(firewall.drops(3, 1, MessageType.MsgVote)).isTrue();
    assertThat(firewall.drops(4, 1, MessageType.MsgVote)).isTrue();
  }

  @Test
  void dropsByTypeEverywhereOrOnOneDirectedLink() {
    firewall.drop(MessageType.MsgHeartbeat).drop(1, 2, MessageType.MsgApp);

    assertThat(firewall.drops(3, 1, MessageType.MsgHeartbeat)).isTrue();
    assertThat(firewall.drops(3, 1, MessageType.MsgApp)).isFalse();
    assertThat(firewall.drops(1, 2, MessageType.MsgApp)).isTrue();
    assertThat(firewall.drops(2, 1, MessageType.MsgApp)).isFalse();
  }

  @Test
  void theLongestMatchingDelayApplies() {
    firewall.delay(Duration.ofMillis(50)).delay(1, 2, Duration.ofMillis(200), MessageType.MsgApp);

    assertThat(firewall.delayOf(1, 2, MessageType.MsgApp)).isEqualTo(Duration.ofMillis(200));
    assertThat(firewall.delayOf(1, 2, MessageType.MsgVote)).isEqualTo(Duration.ofMillis(50));
    assertThat(firewall.drops(1, 2, MessageType.MsgApp)).isFalse();
  }

  @Test
  void healRemovesEveryRule() {
    firewall.isolate(1).delay(Duration.ofSeconds(1)).heal();

    assertThat(firewall.drops(1, 2, MessageType.MsgApp)).isFalse();
    assertThat(firewall.delayOf(1, 2, MessageType.MsgApp)).isZero();
  }

  @Test
  void losesAndDuplicatesAtRandomWithTheGivenProbabilityAndReplaysWithTheSameSeed() {
    firewall.seed(42).lose(0.3, MessageType.MsgApp).duplicate(1.0, MessageType.MsgHeartbeat);
    List<Boolean> first = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      first.add(firewall.loses(1, 2, MessageType.MsgApp));
    }
    long lost = first.stream().filter(b -> b).count();
    assertThat(lost).isBetween(200L, 400L);
    assertThat(firewall.loses(1, 2, MessageType.MsgVote)).isFalse();
    assertThat(firewall.duplicates(1, 2, MessageType.MsgHeartbeat)).isTrue();
    assertThat(firewall.duplicates(1, 2, MessageType.MsgApp)).isFalse();
    assertThat(firewall.drops(1, 2, MessageType.MsgApp)).as("random loss is not a drop").isFalse();

    firewall.seed(42);
    List<Boolean> again = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      again.add(firewall.loses(1, 2, MessageType.MsgApp));
    }
    assertThat(again).isEqualTo(first);
  }

  @Test
  void jitterHoldsEachMessageBackByItsOwnDelayUpToTheMaximum() {
    firewall.seed(7).jitter(Duration.ofMillis(40));
    Set<Duration> delays = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Duration d = firewall.delayOf(1, 2, MessageType.MsgApp);
      assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(40));
      delays.add(d);
    }
    assertThat(delays).hasSizeGreaterThan(100);

    firewall.heal();
    assertThat(firewall.delayOf(1, 2, MessageType.MsgApp)).isZero();
  }

  @Test
  void refusesAProbabilityOutsideZeroToOne() {
    assertThatThrownBy(() -> firewall.lose(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> firewall.duplicate(-0.1)).isInstanceOf(IllegalArgumentException.class);
  }
}
