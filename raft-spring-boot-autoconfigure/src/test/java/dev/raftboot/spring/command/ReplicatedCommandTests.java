package dev.raftboot.spring.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.InvalidCommandException;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedCallInterruptedException;
import dev.raftboot.spring.command.ClusterRunner.Node;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ReplicatedCommandTests {

  private final InProcessCluster cluster = new InProcessCluster(3);

  private final ApplicationContextRunner runner = ClusterRunner.runner(LedgerConfiguration.class);

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void everyNodeAppliesEveryCallInLogOrderAndEachCallerGetsItsOwnResult() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          ExecutorService callers = Executors.newFixedThreadPool(6);
          try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
              Ledger ledger = nodes.get(i % 3).bean(Ledger.class);
              results.add(callers.submit(() -> ledger.deposit("alice", 1)));
            }
            List<Long> balances = new ArrayList<>();
            for (Future<Long> f : results) {
              balances.add(f.get(10, TimeUnit.SECONDS));
            }
            // Each deposit returned the balance right after it on its own node: 1..60 in some order.
            Collections.sort(balances);
            assertThat(balances).first().isEqualTo(1L);
            assertThat(balances).last().isEqualTo(60L);
            assertThat(balances).doesNotHaveDuplicates();
          } finally {
            callers.shutdownNow();
          }
          cluster.awaitApplied();
          List<String> first = nodes.get(0).bean(Ledger.class).calls();
          assertThat(first).hasSize(60);
          for (Node node : nodes) {
            assertThat(node.bean(Ledger.class).calls()).isEqualTo(first);
            assertThat(node.bean(Ledger.class).balances()).containsEntry("alice", 60L);
          }
        });
  }

  @Test
  void blockingCallReturnsOnceAppliedOnTheCallersNode() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Ledger ledger = nodes.get(1).bean(Ledger.class);
          ledger.open("bob");
          // The caller's node has applied it when the call returns; the others apply it in turn.
          assertThat(nodes.get(1).bean(Ledger.class).balances()).containsEntry("bob", 0L);
          cluster.awaitApplied();
          assertThat(nodes.get(0).bean(Ledger.class).balances()).containsEntry("bob", 0L);
          assertThat(cluster.size()).isEqualTo(1);
        });
  }

  @Test
  void futureCallCompletesWithTheResultOffTheApplyThread() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          CompletableFuture<Long> balance = nodes.get(2).bean(Ledger.class).depositLater("carol", 5);
          CompletableFuture<String> thread = balance.thenApply(b -> Thread.currentThread().getName());
          assertThat(balance.get(5, TimeUnit.SECONDS)).isEqualTo(5L);
          assertThat(thread.get(5, TimeUnit.SECONDS)).doesNotStartWith("test-apply");
          cluster.awaitApplied();
          for (Node node : nodes) {
            assertThat(node.bean(Ledger.class).balances()).containsEntry("carol", 5L);
          }
        });
  }

  @Test
  void runtimeExceptionOfTheMethodIsThrownAsItself() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          assertThatThrownBy(() -> ledger.withdraw("nobody", 5))
              .isExactlyInstanceOf(IllegalArgumentException.class)
              .hasMessage("no account nobody");
        });
  }

  @Test
  void declaredCheckedExceptionIsThrownAsItselfAndChangesNothing() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          ledger.deposit("dave", 3);
          assertThatThrownBy(() -> ledger.withdraw("dave", 5))
              .isExactlyInstanceOf(InsufficientFundsException.class)
              .hasMessage("dave has 3, needs 5");
          cluster.awaitApplied();
          for (Node node : nodes) {
            assertThat(node.bean(Ledger.class).balances()).containsEntry("dave", 3L);
          }
          assertThat(cluster.member(2).outcomes)
              .last()
              .asString()
              .endsWith(InsufficientFundsException.class.getName() + ": dave has 3, needs 5");
        });
  }

  @Test
  void undeclaredCheckedExceptionIsWrapped() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          assertThatThrownBy(ledger::audit)
              .isExactlyInstanceOf(UndeclaredThrowableException.class)
              .cause()
              .isExactlyInstanceOf(IOException.class)
              .hasMessage("audit log unavailable");
        });
  }

  @Test
  void futureCallFailsWithWhatTheMethodThrewOrTheFutureItReturned() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          CompletableFuture<Long> thrown = ledger.withdrawLater("nobody", 1);
          assertThat(catchThrowable(() -> thrown.get(5, TimeUnit.SECONDS)))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isExactlyInstanceOf(IllegalArgumentException.class)
              .hasMessage("no account nobody");
          ledger.open("erin");
          CompletableFuture<Long> failed = ledger.withdrawLater("erin", 1);
          assertThat(catchThrowable(() -> failed.get(5, TimeUnit.SECONDS)))
              .cause()
              .isExactlyInstanceOf(InsufficientFundsException.class);
        });
  }

  @Test
  void callFromInsideAnApplyRunsLocallyOnEveryNodeAndIsNotProposedAgain() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          nodes.get(0).bean(Ledger.class).deposit("frank", 10);
          assertThat(nodes.get(1).bean(Transfers.class).transfer("frank", "grace", 4)).isEqualTo(2);
          cluster.awaitApplied();
          assertThat(cluster.size()).isEqualTo(2);
          for (Node node : nodes) {
            Ledger ledger = node.bean(Ledger.class);
            assertThat(ledger.calls())
                .containsExactly("deposit frank 10", "withdraw frank 4", "deposit grace 4");
            assertThat(ledger.balances()).containsEntry("frank", 6L).containsEntry("grace", 4L);
            assertThat(node.bean(Transfers.class).count()).isEqualTo(2);
          }
        });
  }

  @Test
  void noLeaderIsThrownAsItself() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          cluster.loseLeader();
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          assertThatThrownBy(() -> ledger.deposit("x", 1)).isExactlyInstanceOf(NoLeaderException.class);
          assertThat(catchThrowable(() -> ledger.depositLater("x", 1).join()))
              .cause()
              .isExactlyInstanceOf(NoLeaderException.class);
        });
  }

  @Test
  void commandIsSubmittedWithTheAnnotationsTimeoutOrTheDefault() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          cluster.stall();
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          long start = System.nanoTime();
          assertThatThrownBy(() -> ledger.open("slow"))
              .isExactlyInstanceOf(CommandTimeoutException.class)
              .hasMessageContaining("outcome is unknown");
          assertThat(Duration.ofNanos(System.nanoTime() - start))
              .isLessThan(ReplicationTestConfiguration.DEFAULT_TIMEOUT);
          assertThatThrownBy(() -> ledger.deposit("slow", 1))
              .isExactlyInstanceOf(CommandTimeoutException.class);
          assertThat(cluster.member(1).timeouts)
              .containsExactly(Duration.ofMillis(200), ReplicationTestConfiguration.DEFAULT_TIMEOUT);
        });
  }

  @Test
  void callTimesOutOnItsOwnWhenTheNodeGivesNoVerdict() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          cluster.freeze();
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          assertThatThrownBy(() -> ledger.open("slow"))
              .isExactlyInstanceOf(CommandTimeoutException.class)
              .hasMessageContaining("was not applied within 200 ms")
              .hasMessageContaining("outcome is unknown");
        });
  }

  @Test
  void placeholderTimeoutIsResolved() {
    ClusterRunner.run(
        cluster,
        runner.withPropertyValues("ledger.close-timeout=150ms"),
        nodes -> {
          nodes.get(0).bean(Ledger.class).open("helen");
          nodes.get(0).bean(Ledger.class).close("helen");
          assertThat(cluster.member(1).timeouts).last().isEqualTo(Duration.ofMillis(150));
        });
  }

  @Test
  void futureCallTimesOut() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          cluster.freeze();
          CompletableFuture<Long> result = nodes.get(0).bean(Ledger.class).depositLater("slow", 1);
          assertThat(catchThrowable(() -> result.get(10, TimeUnit.SECONDS)))
              .cause()
              .isExactlyInstanceOf(CommandTimeoutException.class)
              .hasMessageContaining("was not applied within 1000 ms");
        });
  }

  @Test
  void interruptedCallerGetsItsInterruptFlagBack() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          cluster.stall();
          Ledger ledger = nodes.get(0).bean(Ledger.class);
          Thread.currentThread().interrupt();
          Throwable thrown = catchThrowable(() -> ledger.deposit("x", 1));
          assertThat(Thread.interrupted()).isTrue();
          assertThat(thrown)
              .isExactlyInstanceOf(ReplicatedCallInterruptedException.class)
              .hasMessageContaining("outcome is unknown")
              .hasCauseInstanceOf(InterruptedException.class);
          Thread.currentThread().interrupt();
          assertThatThrownBy(() -> ledger.depositInterruptibly("x", 1))
              .isExactlyInstanceOf(InterruptedException.class);
          assertThat(Thread.interrupted()).isFalse();
        });
  }

  @Test
  void commandThisNodeCannotDispatchFailsTheSameOnEveryNodeAndApplyingGoesOn() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Method deposit = Ledger.class.getMethod("deposit", String.class, long.class);
          String depositId = ReplicatedMethod.idOf(deposit);
          Type[] types = {String.class, long.class};
          InProcessCluster.Member origin = cluster.member(1);

          assertInvalid(
              origin.submit(call("nobody", depositId, types, new JsonCommandCodec(), "a", 1L)),
              "no bean 'nobody' with replicated commands for " + depositId);
          String missing = Ledger.class.getName() + "#steal(java.lang.String)";
          assertInvalid(
              origin.submit(call("ledger", missing, new Type[] {String.class}, new JsonCommandCodec(), "a")),
              "bean 'ledger' has no replicated command " + missing);
          assertInvalid(
              origin.submit(call("ledger", depositId, new Type[] {String.class, String.class},
                  new JsonCommandCodec(), "a", "lots")),
              "argument 1 of ledger/" + depositId + " cannot be decoded");
          assertInvalid(
              origin.submit(call("ledger", depositId, new Type[] {String.class}, new JsonCommandCodec(), "a")),
              "takes 2 arguments, the command has 1");
          assertInvalid(
              origin.submit(call("ledger", depositId, types, new OtherCodec(), "a", 1L)),
              "was encoded with codec 'other', this node uses 'json'");
          assertInvalid(origin.submit(formatVersion(3)), "format version 3 is not supported");
          assertInvalid(
              origin.submit(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})),
              "not a replicated method call");

          // The apply threads are still alive and the state is untouched.
          assertThat(nodes.get(2).bean(Ledger.class).deposit("ivan", 7)).isEqualTo(7L);
          cluster.awaitApplied();
          for (Node node : nodes) {
            assertThat(node.bean(Ledger.class).calls()).containsExactly("deposit ivan 7");
          }
        });
  }

  private static void assertInvalid(CompletableFuture<Object> result, String message) {
    assertThat(catchThrowable(() -> result.get(5, TimeUnit.SECONDS)))
        .cause()
        .isExactlyInstanceOf(InvalidCommandException.class)
        .hasMessageContaining(message);
  }

  /** A call as another node (or another code version) might have written it. */
  private static ByteString call(
      String bean, String methodId, Type[] types, CommandCodec codec, Object... args)
      throws NoSuchMethodException {
    Method any = Object.class.getMethod("toString");
    ReplicatedMethod m =
        new ReplicatedMethod(
            bean, methodId, methodId, any, true, types, new Class<?>[0],
            MethodHandles.constant(Object.class, null), new ArgumentKind[0], new CodecBindings(types),
            new java.util.HashMap<>(),
            false, null, ReadConsistency.LINEARIZABLE);
    return MethodCall.encode(m, args, codec, MethodCall.FORMAT_1);
  }

  private static ByteString formatVersion(int version) throws IOException {
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    cos.writeUInt32(1, version);
    cos.writeString(2, "ledger");
    cos.flush();
    return out.toByteString();
  }

  /** A codec other than the nodes' one. */
  static final class OtherCodec implements CommandCodec {
    private final JsonCommandCodec json = new JsonCommandCodec();

    @Override
    public String id() {
      return "other";
    }

    @Override
    public byte[] encode(Object value, Type type) {
      return json.encode(value, type);
    }

    @Override
    public Object decode(byte[] data, Type type) {
      return json.decode(data, type);
    }
  }

  static final class InsufficientFundsException extends Exception {
    InsufficientFundsException(String message) {
      super(message);
    }
  }

  /** Replicated state: account balances, and the calls applied to them in order. */
  static class Ledger {
    final Map<String, Long> balances = new ConcurrentHashMap<>();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    // Callers hold the proxy, whose own fields are unused: read the state through methods.
    public Map<String, Long> balances() {
      return balances;
    }

    public List<String> calls() {
      return calls;
    }

    @ReplicatedCommand
    public long deposit(String account, long amount) {
      calls.add("deposit " + account + " " + amount);
      return balances.merge(account, amount, Long::sum);
    }

    @ReplicatedCommand(timeout = "200ms")
    public void open(String account) {
      balances.putIfAbsent(account, 0L);
    }

    @ReplicatedCommand(timeout = "${ledger.close-timeout:2s}")
    public void close(String account) {
      balances.remove(account);
    }

    @ReplicatedCommand
    public CompletableFuture<Long> depositLater(String account, long amount) {
      return CompletableFuture.completedFuture(deposit(account, amount));
    }

    @ReplicatedCommand
    public long depositInterruptibly(String account, long amount) throws InterruptedException {
      return deposit(account, amount);
    }

    @ReplicatedCommand
    public long withdraw(String account, long amount) throws InsufficientFundsException {
      Long balance = balances.get(account);
      if (balance == null) {
        throw new IllegalArgumentException("no account " + account);
      }
      if (balance < amount) {
        throw new InsufficientFundsException(account + " has " + balance + ", needs " + amount);
      }
      calls.add("withdraw " + account + " " + amount);
      return balances.merge(account, -amount, Long::sum);
    }

    @ReplicatedCommand
    public CompletableFuture<Long> withdrawLater(String account, long amount) {
      if (!balances.containsKey(account)) {
        throw new IllegalArgumentException("no account " + account);
      }
      try {
        return CompletableFuture.completedFuture(withdraw(account, amount));
      } catch (InsufficientFundsException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @ReplicatedCommand
    public void audit() {
      throw sneaky(new IOException("audit log unavailable"));
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
      throw (T) t;
    }
  }

  /** Calls the ledger's commands from inside its own command. */
  static class Transfers {
    private final Ledger ledger;
    int count;

    Transfers(Ledger ledger) {
      this.ledger = ledger;
    }

    public int count() {
      return count;
    }

    @ReplicatedCommand
    public int transfer(String from, String to, long amount) throws InsufficientFundsException {
      ledger.withdraw(from, amount);
      ledger.deposit(to, amount);
      count += 2;
      return count;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class LedgerConfiguration {

    @Bean
    Ledger ledger() {
      return new Ledger();
    }

    @Bean
    Transfers transfers(Ledger ledger) {
      return new Transfers(ledger);
    }
  }
}
