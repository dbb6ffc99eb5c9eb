package dev.raftboot.spring.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.spring.lock.LockResult.Status;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.NoLeaderException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RaftLocks} on a table applied in the caller's thread, as a one-node log would. */
class RaftLocksTests {

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private RaftLocks locks(LockTable table) {
    RaftLocks locks = new RaftLocks(table, 1, 0.1, Duration.ofMillis(500), clock::get);
    table.addListener(locks);
    return locks;
  }

  @Test
  void aHolderReliesOnItsLeaseUntilTheSafetyMarginBeforeItsTtl() throws Exception {
    RaftLocks locks = locks(new LockTable());
    LockLease lease = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    assertThat(lease.fencingToken()).isEqualTo(1);
    clock.addAndGet(Duration.ofMillis(8_999).toNanos());
    assertThat(lease.isValid()).isTrue();
    clock.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(lease.isValid()).isFalse();
    assertThat(lease.remaining()).isZero();
  }

  @Test
  void aRenewalCountsFromWhenItWasSent() throws Exception {
    RaftLocks locks = locks(new LockTable());
    LockLease lease = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    clock.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(lease.renew()).isTrue();
    clock.addAndGet(Duration.ofMillis(8_999).toNanos());
    assertThat(lease.isValid()).isTrue();
    assertThat(lease.fencingToken()).isEqualTo(1);
  }

  @Test
  void eachAcquisitionIsAnOwnerOfItsOwnSoItDoesNotReenter() throws Exception {
    RaftLocks locks = locks(new LockTable());
    LockLease first = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    assertThat(locks.tryAcquire("a", Duration.ofSeconds(10))).isEmpty();
    assertThat(first.release()).isTrue();
    assertThat(first.isValid()).isFalse();
    LockLease second = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(second.owner()).isNotEqualTo(first.owner());
  }

  @Test
  void aWaitingAcquisitionGetsTheLockWhenItIsReleased() throws Exception {
    RaftLocks locks = locks(new LockTable());
    LockLease first = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    Future<Optional<LockLease>> waiting =
        threads.submit(() -> locks.tryAcquire("a", Duration.ofSeconds(10), Duration.ofDays(1)));
    Thread.sleep(100);
    assertThat(waiting).isNotDone();
    first.release();
    assertThat(waiting.get(5, TimeUnit.SECONDS)).isPresent();
  }

  @Test
  void aLeaseThatTheClusterEndedIsLostAtOnce() throws Exception {
    LockTable table = new LockTable();
    RaftLocks locks = locks(table);
    LockLease lease = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    table.expire("a", table.localGrant("a").orElseThrow().renewedAt());
    assertThat(lease.isValid()).isFalse();
    assertThatThrownBy(lease::renew).isInstanceOf(LockLostException.class);
    assertThat(lease.release()).isFalse();
  }

  @Test
  void aRenewalRefusedByTheClusterThrowsLockLost() throws Exception {
    LockTable table = new LockTable();
    RaftLocks locks = new RaftLocks(table, 1, 0.1, Duration.ofMillis(500), clock::get);
    LockLease lease = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    table.release("a", lease.owner());
    assertThatThrownBy(lease::renew)
        .isInstanceOf(LockLostException.class)
        .hasMessageContaining("no longer held");
    assertThat(lease.isValid()).isFalse();
  }

  @Test
  void anAttemptThatWasNotAppliedIsRetriedUntilTheWaitEnds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LockTable table =
        new LockTable() {
          @Override
          public CompletableFuture<LockResult> acquire(String name, String owner, long ttlMillis) {
            if (calls.incrementAndGet() < 3) {
              return CompletableFuture.failedFuture(new NoLeaderException("no leader"));
            }
            return super.acquire(name, owner, ttlMillis);
          }
        };
    RaftLocks locks = new RaftLocks(table, 1, 0.1, Duration.ofMillis(500), System::nanoTime);
    assertThat(locks.tryAcquire("a", Duration.ofSeconds(1), Duration.ofSeconds(5))).isPresent();
    assertThat(calls).hasValue(3);
  }

  /**
   * An attempt with an unknown outcome may have been applied: when the acquisition gives up, it
   * releases the lock it may hold, so the lock does not wait for its TTL.
   */
  @Test
  void anAcquisitionThatGivesUpAfterAnUnknownOutcomeReleasesTheLock() throws Exception {
    LockTable table =
        new LockTable() {
          @Override
          public CompletableFuture<LockResult> acquire(String name, String owner, long ttlMillis) {
            super.acquire(name, owner, ttlMillis); // applied, but the answer is lost
            return CompletableFuture.failedFuture(new CommandTimeoutException("unknown"));
          }
        };
    RaftLocks locks = new RaftLocks(table, 1, 0.1, Duration.ofMillis(200), System::nanoTime);
    assertThat(locks.tryAcquire("a", Duration.ofSeconds(10))).isEmpty();
    assertThat(table.localGrant("a")).isEmpty();
  }

  /** A table whose acquisitions reach the log only when the test says so. */
  static final class SlowLog extends LockTable {
    final CompletableFuture<LockResult> answer = new CompletableFuture<>();
    String name;
    String owner;
    long ttl;

    @Override
    public CompletableFuture<LockResult> acquire(String name, String owner, long ttlMillis) {
      this.name = name;
      this.owner = owner;
      this.ttl = ttlMillis;
      return answer;
    }

    void applyNow() {
      answer.complete(super.acquire(name, owner, ttl).join());
    }
  }

  @Test
  void aGrantAppliedAfterTheAcquisitionGaveUpIsReleased() throws Exception {
    SlowLog table = new SlowLog();
    RaftLocks locks = new RaftLocks(table, 1, 0.1, Duration.ofMillis(100), System::nanoTime);
    assertThat(locks.tryAcquire("a", Duration.ofSeconds(10))).isEmpty();
    table.applyNow();
    assertThat(table.localGrant("a")).isEmpty();
    assertThat(table.revision()).isEqualTo(1);
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsProposed() {
    RaftLocks locks = locks(new LockTable());
    assertThatIllegalArgumentException()
        .isThrownBy(() -> locks.tryAcquire("a", Duration.ZERO))
        .withMessageContaining("at least 1 ms");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RaftLocks(new LockTable(), 1, 1.5, Duration.ofSeconds(1), System::nanoTime))
        .withMessageContaining("between 0 and 1");
  }

  @Test
  void theHolderIsReadFromTheTable() throws Exception {
    RaftLocks locks = locks(new LockTable());
    LockLease lease = locks.tryAcquire("a", Duration.ofSeconds(10)).orElseThrow();
    assertThat(locks.holder("a")).hasValueSatisfying(g -> assertThat(g.owner()).isEqualTo(lease.owner()));
    assertThat(locks.holder("b")).isEmpty();
    assertThat(Status.values()).contains(Status.GRANTED);
  }
}
