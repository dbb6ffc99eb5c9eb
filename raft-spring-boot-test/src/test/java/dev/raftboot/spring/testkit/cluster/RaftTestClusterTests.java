package dev.raftboot.spring.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.testkit.account.Account;
import dev.raftboot.spring.testkit.account.AccountApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RaftTestClusterTests {

  private final RaftTestCluster cluster =
      RaftTestCluster.of(AccountApplication.class)
          .nodes(3)
          .property("raft.command-timeout", "1s")
          .property("raft.snapshot.entries", 5)
          .property("raft.snapshot.keep-entries", 1)
          .start();

  @AfterEach
  void close() {
    try {
      assertThat(cluster.network().refusals()).as("messages the peer checks refused").isEmpty();
    } finally {
      cluster.close();
    }
  }

  @Test
  void everyNodeHasOnlyTheClusterMembersWhateverTheConfigurationSays() {
    cluster.awaitLeader();
    cluster.awaitAppliedEverywhere();

    for (TestNode node : cluster.running()) {
      assertThat(node.server().members()).extracting(RaftMember::id).containsExactly(1L, 2L, 3L);
      assertThat(node.server().members()).extracting(RaftMember::url).asString().contains(".invalid");
    }
  }

  @Test
  void aWriteWhoseAppendsAreDroppedTimesOutAndIsAppliedOnceTheNetworkHeals() {
    TestNode leader = cluster.awaitLeader();
    long term = leader.server().metrics().term();
    cluster.firewall().drop(MessageType.MsgApp);

    assertThatThrownBy(() -> leader.bean(Account.class).deposit(10))
        .isInstanceOf(CommandTimeoutException.class);
    long entry = leader.server().status().lastIndex();

    cluster.firewall().heal();
    cluster.awaitApplied(entry);
    cluster.awaitAppliedEverywhere();
    long balance = leader.bean(Account.class).balance();
    for (TestNode node : cluster.running()) {
      assertThat(node.bean(Account.class).balance()).as("on %s", node).isEqualTo(balance);
    }
    if (leader.server().metrics().term() == term) {
      // Heartbeats kept the leader in office, so its entry was replicated once appends flowed.
      assertThat(balance).isEqualTo(10);
    }
  }

  @Test
  void aNodeThatJoinsLaterCatchesUpThroughASnapshot() {
    Account account = cluster.awaitLeader().bean(Account.class);
    for (int i = 0; i < 12; i++) {
      account.deposit(1);
    }

    TestNode newcomer = cluster.join(4);
    cluster.awaitAppliedEverywhere();

    assertThat(newcomer.bean(Account.class).balance()).isEqualTo(12);
    assertThat(newcomer.server().metrics().snapshotsReceived()).isPositive();
    assertThat(cluster.awaitLeader().server().members()).extracting(RaftMember::id).contains(4L);
  }
}
