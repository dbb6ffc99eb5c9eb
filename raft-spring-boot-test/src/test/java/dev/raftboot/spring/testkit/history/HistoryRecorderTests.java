package dev.raftboot.spring.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.testkit.account.Account;
import dev.raftboot.spring.testkit.account.AccountApplication;
import dev.raftboot.spring.testkit.cluster.RaftTestCluster;
import dev.raftboot.spring.testkit.cluster.TestNode;
import dev.raftboot.testkit.linearizability.Model;
import dev.raftboot.testkit.linearizability.ModelChecker;
import dev.raftboot.testkit.linearizability.ModelCheckResult;
import dev.raftboot.testkit.linearizability.ModelHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The history example of src-docs/testing.md: clients call the account on random nodes while the
 * leader is cut off and healed, and the recorded history must be linearizable for the account's
 * own model.
 */
class HistoryRecorderTests {

  /** A call to the account and its argument. */
  record Call(String method, long amount) {}

  /** The account's sequential specification, the same rules as {@link Account}. */
  static final Model<Long, Call, Long> ACCOUNT =
      new Model<>() {
        @Override
        public Long initial() {
          return 0L;
        }

        @Override
        public Step<Long, Long> apply(Long balance, Call call) {
          return switch (call.method()) {
            case "deposit" -> new Step<>(balance + call.amount(), balance + call.amount());
            case "withdraw" ->
                call.amount() > balance
                    ? new Step<>(balance, -1L)
                    : new Step<>(balance - call.amount(), balance - call.amount());
            default -> new Step<>(balance, balance);
          };
        }
      };

  @Test
  void callsDuringAPartitionAreLinearizable() throws Exception {
    ModelHistory<Call, Long> history = new ModelHistory<>();
    try (RaftTestCluster cluster =
        RaftTestCluster.of(AccountApplication.class).nodes(3).property("raft.command-timeout", "500ms").start()) {
      cluster.awaitLeader();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService clients = Executors.newFixedThreadPool(3);
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        int client = c;
        running.add(clients.submit(() -> runClient(cluster, history, client, stop)));
      }
      TestNode leader = cluster.awaitLeader();
      Thread.sleep(300);
      cluster.firewall().isolate(leader.id());
      cluster.awaitLeader();
      Thread.sleep(300);
      cluster.firewall().heal();
      Thread.sleep(300);
      stop.set(true);
      for (Future<?> f : running) {
        f.get(30, TimeUnit.SECONDS);
      }
      clients.shutdown();
    }

    ModelCheckResult<Call, Long> result = ModelChecker.check(ACCOUNT, history);

    result.assertLinearizable();
    assertThat(history.entries()).filteredOn(e -> e.outcome() == ModelHistory.Outcome.OK).hasSizeGreaterThan(10);
  }

  private static void runClient(
      RaftTestCluster cluster, ModelHistory<Call, Long> history, int client, AtomicBoolean stop) {
    SplittableRandom random = new SplittableRandom(client);
    while (!stop.get()) {
      List<TestNode> nodes = cluster.running();
      Account account = nodes.get(random.nextInt(nodes.size())).bean(Account.class);
      long amount = 1 + random.nextInt(5);
      Call call =
          switch (random.nextInt(3)) {
            case 0 -> new Call("deposit", amount);
            case 1 -> new Call("withdraw", amount);
            default -> new Call("balance", 0);
          };
      try {
        HistoryRecorder.record(
            history,
            client,
            call,
            () ->
                switch (call.method()) {
                  case "deposit" -> account.deposit(call.amount());
                  case "withdraw" -> account.withdraw(call.amount());
                  default -> account.balance();
                });
      } catch (RuntimeException e) {
        // Recorded as failed or unknown; the client goes on, as a real one would retry.
      }
    }
  }
}
