package dev.raftboot.spring.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.IdempotencyKey;
import dev.raftboot.spring.testkit.Waits;
import dev.raftboot.spring.testkit.account.Account;
import dev.raftboot.spring.testkit.account.AccountApplication;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client whose deposit (not idempotent) ends in an unknown outcome retries it on another node:
 * with the same idempotency key it is applied once, without a key twice (the negative control).
 */
class ExactlyOnceRetryTests {

  private final RaftTestCluster cluster =
      RaftTestCluster.of(AccountApplication.class)
          .nodes(3)
          .property("raft.command-timeout", "3s")
          .start();

  @AfterEach
  void close() {
    cluster.close();
  }

  /** Deposits 10 through {@code node}, under {@code key} unless it is null. */
  private static long deposit(TestNode node, String key) {
    if (key == null) {
      return node.bean(Account.class).deposit(10);
    }
    try (var scope = IdempotencyKey.use(key)) {
      return node.bean(Account.class).deposit(10);
    }
  }

  private long balanceEverywhere() {
    cluster.awaitAppliedEverywhere();
    long balance = cluster.awaitLeader().bean(Account.class).balance();
    for (TestNode node : cluster.running()) {
      assertThat(node.bean(Account.class).balance()).as("on %s", node).isEqualTo(balance);
    }
    return balance;
  }

  /** Leader, the follower whose caller will not hear the outcome, the other follower. */
  private TestNode[] roles() {
    TestNode leader = cluster.awaitLeader();
    cluster.awaitAppliedEverywhere();
    // Each follower must know the leader: one that does not yet holds its caller's proposal back
    // (answered "not applied" once the firewall keeps the leader from it), and nothing times out.
    Waits.until(
        Duration.ofSeconds(10),
        () -> cluster.running().stream().allMatch(n -> n.server().metrics().leaderId() == leader.id()),
        () -> "not every node follows " + leader + ": " + cluster.describe());
    TestNode[] followers =
        cluster.running().stream().filter(n -> n != leader).toArray(TestNode[]::new);
    return new TestNode[] {leader, followers[0], followers[1]};
  }

  /**
   * The first follower's proposal reaches the leader and commits with the other follower, but the
   * first follower hears nothing back, so its caller times out; the client retries on the other.
   */
  private long timeOutThenRetryElsewhere(String key) {
    TestNode[] r = roles();
    long before = r[0].server().metrics().commitIndex();
    cluster.firewall().drop(r[0].id(), r[1].id());

    assertThatThrownBy(() -> deposit(r[1], key)).isInstanceOf(CommandTimeoutException.class);
    Waits.until(
        Duration.ofSeconds(10),
        () -> r[2].server().metrics().appliedIndex() > before,
        () -> "the deposit did not commit: " + cluster.describe());

    long retried = deposit(r[2], key);
    cluster.firewall().heal();
    assertThat(balanceEverywhere()).isEqualTo(key == null ? 20 : 10);
    return retried;
  }

  @Test
  void aRetryWithTheSameKeyOnAnotherNodeAfterATimeoutIsAppliedOnceAndGetsTheFirstResult() {
    assertThat(timeOutThenRetryElsewhere("client-1:req-1")).isEqualTo(10);
  }

  @Test
  void withoutAKeyTheSameRetryIsAppliedTwice() {
    assertThat(timeOutThenRetryElsewhere(null)).isEqualTo(20);
  }

  @Test
  void aRetryAfterTheCallersNodeStoppedIsAppliedOnceAlsoWhenThatNodeRestarts() throws Exception {
    TestNode[] r = roles();
    long before = r[0].server().metrics().commitIndex();
    cluster.firewall().drop(r[0].id(), r[1].id());
    CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> deposit(r[1], "client-2:req-1"));
    Waits.until(
        Duration.ofSeconds(10),
        () -> r[2].server().metrics().appliedIndex() > before,
        () -> "the deposit did not commit: " + cluster.describe());
    cluster.crash(r[1].id());
    assertThat(first).failsWithin(Duration.ofSeconds(10));

    assertThat(deposit(r[2], "client-2:req-1")).isEqualTo(10);
    cluster.firewall().heal();
    cluster.restart(r[1].id());
    assertThat(balanceEverywhere()).isEqualTo(10);
    // The restarted node re-applied its log: the retry's entry is skipped there too.
    assertThat(deposit(r[1], "client-2:req-1")).isEqualTo(10);
    assertThat(balanceEverywhere()).isEqualTo(10);
  }

  @Test
  void aRetryProposedWhileTheFirstIsStillInFlightIsSkippedAndBothCallersGetTheFirstResult()
      throws Exception {
    TestNode[] r = roles();
    long last = r[0].server().status().lastIndex();
    // The leader appends both proposals but cannot commit them yet.
    cluster.firewall().drop(MessageType.MsgApp);
    CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> deposit(r[0], "client-3:req-1"));
    Waits.until(Duration.ofSeconds(10), () -> r[0].server().status().lastIndex() > last, cluster::describe);
    CompletableFuture<Long> retry = CompletableFuture.supplyAsync(() -> deposit(r[2], "client-3:req-1"));
    Waits.until(Duration.ofSeconds(10), () -> r[0].server().status().lastIndex() > last + 1, cluster::describe);
    cluster.firewall().heal();

    assertThat(first.get()).isEqualTo(10);
    assertThat(retry.get()).isEqualTo(10);
    assertThat(balanceEverywhere()).isEqualTo(10);
  }
}
