package dev.raftboot.spring.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.testkit.Waits;
import dev.raftboot.spring.testkit.account.Account;
import dev.raftboot.spring.testkit.account.AccountApplication;
import dev.raftboot.spring.testkit.cluster.RaftTestCluster;
import dev.raftboot.spring.testkit.cluster.TestNode;
import dev.raftboot.testkit.linearizability.Model;
import dev.raftboot.testkit.linearizability.ModelChecker;
import dev.raftboot.testkit.linearizability.ModelCheckResult;
import dev.raftboot.testkit.linearizability.ModelHistory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  private static final int CLIENTS = 3;
  private static final int CALLS_PER_CLIENT = 40;

  @Test
  void callsDuringAPartitionAreLinearizable() throws Exception {
    ModelHistory<Call, Long> history = new ModelHistory<>();
    try (RaftTestCluster cluster =
        RaftTestCluster.of(AccountApplication.class).nodes(3).property("raft.command-timeout", "1s").start()) {
      cluster.awaitLeader();
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        running.add(clients.submit(() -> runClient(cluster, history, client)));
      }
      // Driven by progress, not by the clock: the fault lands while clients are busy on any machine.
      awaitCalls(history, 15);
      cluster.firewall().isolate(cluster.awaitLeader().id());
      cluster.awaitLeader();
      awaitCalls(history, 60);
      cluster.firewall().heal();
      for (Future<?> f : running) {
        f.get(2, TimeUnit.MINUTES);
      }
      clients.shutdown();
    }

    ModelCheckResult<Call, Long> result = ModelChecker.check(ACCOUNT, history);

    result.assertLinearizable();
    assertThat(history.entries()).filteredOn(e -> e.outcome() == ModelHistory.Outcome.OK).hasSizeGreaterThan(30);
  }

  private static void awaitCalls(ModelHistory<Call, Long> history, int calls) {
    Waits.until(
        Duration.ofMinutes(1),
        () -> history.entries().size() >= calls,
        () -> "the clients made only " + history.entries().size() + " calls");
  }

  private static void runClient(RaftTestCluster cluster, ModelHistory<Call, Long> history, int client) {
    SplittableRandom random = new SplittableRandom(client);
    for (int i = 0; i < CALLS_PER_CLIENT; i++) {
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
