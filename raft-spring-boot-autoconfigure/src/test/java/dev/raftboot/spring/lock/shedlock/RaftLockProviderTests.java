package dev.raftboot.spring.lock.shedlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.lock.LockTable;
import dev.raftboot.spring.lock.RaftLocks;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.Test;

class RaftLockProviderTests {

  private final LockTable table = new LockTable();
  private final RaftLockProvider node1 =
      new RaftLockProvider(new RaftLocks(table, 1, 0.1, Duration.ofMillis(300), System::nanoTime));
  private final RaftLockProvider node2 =
      new RaftLockProvider(new RaftLocks(table, 2, 0.1, Duration.ofMillis(300), System::nanoTime));

  private static LockConfiguration config(Duration atMost, Duration atLeast) {
    return new LockConfiguration(Instant.now(), "job", atMost, atLeast);
  }

  @Test
  void onlyOneNodeGetsTheLockAndUnlockFreesItAtOnce() {
    Optional<SimpleLock> lock = node1.lock(config(Duration.ofMinutes(1), Duration.ZERO));
    assertThat(lock).isPresent();
    assertThat(node2.lock(config(Duration.ofMinutes(1), Duration.ZERO))).isEmpty();
    assertThat(node1.lock(config(Duration.ofMinutes(1), Duration.ZERO))).as("no re-entry").isEmpty();
    assertThat(table.localGrant("job").orElseThrow().ttlMillis()).isEqualTo(60_000);
    lock.get().unlock();
    assertThat(table.localGrant("job")).isEmpty();
    assertThat(node2.lock(config(Duration.ofMinutes(1), Duration.ZERO))).isPresent();
  }

  @Test
  void unlockBeforeLockAtLeastForKeepsTheLeaseForTheRestOfIt() {
    SimpleLock lock = node1.lock(config(Duration.ofMinutes(1), Duration.ofSeconds(30))).orElseThrow();
    lock.unlock();
    long ttl = table.localGrant("job").orElseThrow().ttlMillis();
    assertThat(ttl).isBetween(25_000L, 30_000L);
    assertThat(node2.lock(config(Duration.ofMinutes(1), Duration.ZERO))).isEmpty();
  }

  @Test
  void extendRenewsTheLeaseAndFailsOnceItIsLost() {
    SimpleLock lock = node1.lock(config(Duration.ofSeconds(10), Duration.ZERO)).orElseThrow();
    Optional<SimpleLock> extended = lock.extend(Duration.ofMinutes(5), Duration.ZERO);
    assertThat(extended).isPresent();
    assertThat(table.localGrant("job").orElseThrow().ttlMillis()).isEqualTo(300_000);
    table.release("job", table.localGrant("job").orElseThrow().owner());
    assertThat(extended.get().extend(Duration.ofMinutes(5), Duration.ZERO)).isEmpty();
  }
}
