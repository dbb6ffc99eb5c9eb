package dev.raftboot.spring.command;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.spi.CommandApplier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a raft cluster: one totally ordered in-memory log, and per member an apply thread
 * that hands every entry, in log order, to that member's {@link CommandApplier}. Like {@code
 * RaftServer}, a member completes the submitter's future with its own apply's outcome, on its apply
 * thread, and reports {@link #isApplyThread()} only while it is inside the applier.
 */
final class InProcessCluster implements AutoCloseable {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final List<Member> members = new ArrayList<>();
  private final List<ByteString> log = new ArrayList<>();
  private volatile boolean leaderless;
  private volatile boolean stalled;
  private volatile boolean frozen;

  InProcessCluster(int size) {
    for (int i = 1; i <= size; i++) {
      members.add(new Member(i));
    }
  }

  List<Member> members() {
    return members;
  }

  Member member(int id) {
    return members.get(id - 1);
  }

  /**
   * From now on no leader accepts commands: like {@code RaftServer}, a command then fails with
   * {@link NoLeaderException} once its timeout has passed.
   */
  void loseLeader() {
    leaderless = true;
  }

  /**
   * From now on commands are accepted but never committed: they fail with {@link
   * CommandTimeoutException} once their timeout has passed.
   */
  void stall() {
    stalled = true;
  }

  /** From now on commands are accepted and then nothing happens at all, not even a timeout. */
  void freeze() {
    frozen = true;
  }

  synchronized int size() {
    return log.size();
  }

  /** Appends {@code command} as if it had been committed, and hands it to every member. */
  synchronized CompletableFuture<Object> append(Member origin, ByteString command, Duration timeout) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    if (frozen) {
      return result;
    }
    if (leaderless || stalled) {
      RuntimeException verdict =
          leaderless
              ? new NoLeaderException("no leader accepted the command within its timeout (test)")
              : new CommandTimeoutException("not applied within its timeout; the outcome is unknown (test)");
      CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .execute(() -> result.completeExceptionally(verdict));
      return result;
    }
    log.add(command);
    int index = log.size();
    for (Member m : members) {
      m.deliver(index, command, m == origin ? result : null);
    }
    return result;
  }

  /** Waits until every member has applied everything appended so far. */
  void awaitApplied() throws Exception {
    for (Member m : members) {
      m.applyThread.submit(() -> null).get(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    members.forEach(m -> m.applyThread.shutdownNow());
  }

  private static String describe(Object value) {
    if (value instanceof CompletableFuture<?> f) {
      return f.handle((v, e) -> e == null ? "future of " + v : "future failed with " + e).join();
    }
    return String.valueOf(value);
  }

  /** One member's view of the cluster: what a {@code RaftServer} offers replicated calls. */
  final class Member implements ReplicatedLog {

    final int id;
    /** What this member's applier returned or threw, per applied entry. */
    final List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
    /** The consistency of every read barrier requested on this member. */
    final List<ReadConsistency> barriers = Collections.synchronizedList(new ArrayList<>());
    /** The timeout of every command submitted on this member. */
    final List<Duration> timeouts = Collections.synchronizedList(new ArrayList<>());

    private final ExecutorService applyThread;
    private volatile Thread thread;
    private volatile boolean applying;
    private volatile CommandApplier applier;

    Member(int id) {
      this.id = id;
      this.applyThread =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "test-apply-" + id);
                t.setDaemon(true);
                thread = t;
                return t;
              });
    }

    void attach(CommandApplier applier) {
      this.applier = applier;
    }

    @Override
    public CompletableFuture<Object> submit(ByteString command) {
      return submit(command, DEFAULT_TIMEOUT);
    }

    @Override
    public CompletableFuture<Object> submit(ByteString command, Duration timeout) {
      timeouts.add(timeout);
      return append(this, command, timeout);
    }

    @Override
    public CompletableFuture<Void> readBarrier(ReadConsistency consistency) {
      barriers.add(consistency);
      if (consistency == ReadConsistency.LOCAL) {
        return CompletableFuture.completedFuture(null);
      }
      if (stalled || leaderless || frozen) {
        return new CompletableFuture<>();
      }
      // Ready once everything appended so far is applied here, completed on the apply thread.
      CompletableFuture<Void> ready = new CompletableFuture<>();
      applyThread.execute(() -> ready.complete(null));
      return ready;
    }

    @Override
    public boolean isApplyThread() {
      return applying && Thread.currentThread() == thread;
    }

    private void deliver(int index, ByteString command, CompletableFuture<Object> result) {
      applyThread.execute(
          () -> {
            Object value = null;
            Throwable error = null;
            applying = true;
            try {
              value = applier.apply(command);
            } catch (Exception | LinkageError | AssertionError e) {
              error = e;
            } finally {
              applying = false;
            }
            outcomes.add(
                index + ": "
                    + (error == null
                        ? describe(value)
                        : error.getClass().getName() + ": " + error.getMessage()));
            if (result != null) {
              if (error == null) {
                result.complete(value);
              } else {
                result.completeExceptionally(error);
              }
            }
          });
    }
  }
}
