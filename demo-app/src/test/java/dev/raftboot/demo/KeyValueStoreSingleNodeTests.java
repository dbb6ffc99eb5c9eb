package dev.raftboot.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.testkit.SingleNodeRaft;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The demo's store on a one-voter cluster (the single-node example of src-docs/testing.md). The
 * demo's application.yml lists three peers; {@link SingleNodeRaft} leaves only this node.
 */
@SpringBootTest
@SingleNodeRaft
class KeyValueStoreSingleNodeTests {

  @Autowired KeyValueStore store;

  @Autowired RaftServer raft;

  @Test
  void theConfiguredPeersAreReplacedByThisNodeAlone() {
    assertThat(raft.members()).extracting(RaftMember::id).containsExactly(1L);
    assertThat(raft.leader()).map(RaftMember::id).contains(1L);
  }

  @Test
  void aReplicatedCommandGoesThroughTheLog() {
    long applied = raft.metrics().appliedIndex();

    assertThat(store.put("greeting", "hello")).isNull();
    assertThat(store.put("greeting", "hi")).isEqualTo("hello");

    assertThat(store.get("greeting")).contains("hi");
    assertThat(raft.metrics().appliedIndex()).isGreaterThanOrEqualTo(applied + 2);
  }

  @Test
  void aSnapshotCapturesTheStore() throws Exception {
    store.put("snapshotted", "yes");

    long index = raft.triggerSnapshot().get();

    assertThat(index).isGreaterThan(0);
    // The raft loop writes the snapshot after the future completes.
    await().atMost(Duration.ofSeconds(30)).until(() -> raft.status().snapshotIndex() >= index);
  }
}
