package dev.raftboot.spring.lock.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.spring.lock.LockTable;
import dev.raftboot.spring.lock.RaftLocks;
import dev.raftboot.spring.lock.integration.RaftLockRegistry.RaftLock;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The registry on a table applied in the caller's thread, as a one-node log would. */
class RaftLockRegistryTests {

  private final LockTable table = new LockTable();
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final RaftLocks locks = new RaftLocks(table, 1, 0.1, Duration.ofMillis(300), clock::get);
  private final RaftLockRegistry registry = new RaftLockRegistry(locks, Duration.ofSeconds(10));
  private final RaftLockRegistry otherNode =
      new RaftLockRegistry(new RaftLocks(table, 2, 0.1, Duration.ofMillis(300), clock::get), Duration.ofSeconds(10));

  {
    table.addListener(locks);
  }

  @Test
  void onlyOneRegistryHoldsAKeyAndTheHolderSeesItsToken() throws Exception {
    RaftLock mine = registry.obtain("k");
    assertThat(mine.tryLock(1, TimeUnit.SECONDS)).isTrue();
    assertThat(mine.fencingToken()).hasValue(1);
    assertThat(otherNode.obtain("k").tryLock()).isFalse();
    mine.unlock();
    RaftLock theirs = otherNode.obtain("k");
    assertThat(theirs.tryLock()).isTrue();
    assertThat(theirs.fencingToken().getAsLong()).isGreaterThan(1);
    theirs.unlock();
  }

  @Test
  void threadsOfOneRegistryExcludeEachOtherLocally() throws Exception {
    RaftLock lock = registry.obtain("k");
    lock.lock();
    try {
      Boolean other = CompletableFuture.supplyAsync(lock::tryLock).get(5, TimeUnit.SECONDS);
      assertThat(other).isFalse();
      assertThat(CompletableFuture.supplyAsync(() -> lock.fencingToken().isPresent()).get()).isFalse();
    } finally {
      lock.unlock();
    }
    assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
  }

  @Test
  void lockingAgainWhileHeldRenewsTheLease() throws Exception {
    RaftLock lock = registry.obtain("k");
    lock.lock(Duration.ofSeconds(10));
    long renewedAt = table.localGrant("k").orElseThrow().renewedAt();
    clock.addAndGet(Duration.ofSeconds(8).toNanos());
    assertThat(lock.tryLock(Duration.ofSeconds(1), Duration.ofSeconds(10))).isTrue();
    assertThat(table.localGrant("k").orElseThrow().renewedAt()).isGreaterThan(renewedAt);
    clock.addAndGet(Duration.ofSeconds(8).toNanos());
    assertThat(lock.isValid()).isTrue();
    lock.unlock();
    assertThat(table.localGrant("k")).isPresent();
    lock.unlock();
    assertThat(table.localGrant("k")).isEmpty();
  }

  @Test
  void unlockAfterTheLeaseExpiredSaysTheWorkMayHaveOverlapped() throws Exception {
    RaftLock lock = registry.obtain("k");
    lock.lock();
    table.expire("k", table.localGrant("k").orElseThrow().renewedAt());
    assertThat(lock.isValid()).isFalse();
    assertThat(lock.tryLock(0, TimeUnit.SECONDS)).isTrue(); // lost, but free: acquired anew
    lock.unlock();
    table.expire("k", table.localGrant("k").orElseThrow().renewedAt());
    assertThatThrownBy(lock::unlock).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void renewLockNeedsTheCurrentThreadToHoldTheLock() throws Exception {
    RaftLock lock = registry.obtain("k");
    assertThatIllegalStateException().isThrownBy(() -> registry.renewLock("k"));
    lock.lock();
    clock.addAndGet(Duration.ofSeconds(8).toNanos());
    registry.renewLock("k", Duration.ofSeconds(20));
    clock.addAndGet(Duration.ofSeconds(17).toNanos());
    assertThat(lock.isValid()).isTrue();
    table.release("k", table.localGrant("k").orElseThrow().owner());
    assertThatIllegalStateException().isThrownBy(() -> registry.renewLock("k")).withMessageContaining("no longer held");
  }

  @Test
  void unusedLocksAreExpiredFromTheRegistryButHeldOnesStay() throws Exception {
    RaftLock held = registry.obtain("held");
    held.lock();
    RaftLock idle = registry.obtain("idle");
    Thread.sleep(5);
    registry.expireUnusedOlderThan(0);
    assertThat(registry.obtain("held")).isSameAs(held);
    assertThat(registry.obtain("idle")).isNotSameAs(idle);
    held.unlock();
  }

  @Test
  void keysMustBeStrings() {
    assertThatIllegalArgumentException().isThrownBy(() -> registry.obtain(42)).withMessageContaining("String");
    assertThatThrownBy(() -> registry.obtain("k").newCondition()).isInstanceOf(UnsupportedOperationException.class);
  }
}
