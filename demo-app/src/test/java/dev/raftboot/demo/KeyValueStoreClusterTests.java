package dev.raftboot.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static java.util.stream.Collectors.toSet;

import dev.raftboot.spring.api.ReplicationException;
import dev.raftboot.spring.testkit.cluster.RaftTestCluster;
import dev.raftboot.spring.testkit.cluster.TestNode;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes of the demo in one JVM with a partition (the cluster example of
 * src-docs/testing.md).
 */
class KeyValueStoreClusterTests {

  private final RaftTestCluster cluster =
      RaftTestCluster.of(DemoApplication.class)
          .nodes(3)
          // Calls that cannot commit fail after 1 s instead of the configured 5 s.
          .property("raft.command-timeout", "1s")
          .start();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void theMajoritySideOfAPartitionCarriesOnAndTheMinorityCatchesUp() {
    TestNode oldLeader = cluster.awaitLeader();
    oldLeader.bean(KeyValueStore.class).put("color", "red");

    Set<Long> majority =
        cluster.nodes().stream().map(TestNode::id).filter(id -> id != oldLeader.id()).collect(toSet());
    cluster.firewall().partition(Set.of(oldLeader.id()), majority);

    TestNode newLeader = cluster.awaitLeader();
    assertThat(newLeader.id()).isNotEqualTo(oldLeader.id());
    assertThat(newLeader.bean(KeyValueStore.class).put("color", "blue")).isEqualTo("red");
    // Cut off from a quorum, the old leader cannot commit anything.
    assertThatThrownBy(() -> oldLeader.bean(KeyValueStore.class).put("color", "green"))
        .isInstanceOf(ReplicationException.class);

    cluster.firewall().heal();
    cluster.awaitAppliedEverywhere();

    for (TestNode node : cluster.running()) {
      assertThat(node.bean(KeyValueStore.class).get("color")).as("on %s", node).contains("blue");
    }
  }

  @Test
  void aCrashedNodeRestartsOnItsLogAndCatchesUp() {
    TestNode leader = cluster.awaitLeader();
    long follower = leader.id() == 1 ? 2 : 1;
    leader.bean(KeyValueStore.class).put("before", "crash");
    cluster.awaitAppliedEverywhere();

    cluster.crash(follower);
    cluster.awaitLeader().bean(KeyValueStore.class).put("during", "crash");
    TestNode restarted = cluster.restart(follower);
    cluster.awaitAppliedEverywhere();

    KeyValueStore store = restarted.bean(KeyValueStore.class);
    assertThat(store.get("before")).contains("crash");
    assertThat(store.get("during")).contains("crash");
  }
}
