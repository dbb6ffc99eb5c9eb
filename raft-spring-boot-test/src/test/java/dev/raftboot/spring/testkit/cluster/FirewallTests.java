package dev.raftboot.spring.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.raftpb.MessageType;
import java.time.Duration;
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
}
