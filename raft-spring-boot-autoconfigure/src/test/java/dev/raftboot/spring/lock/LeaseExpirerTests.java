package dev.raftboot.spring.lock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.RaftLeaderChangedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseExpirerTests {

  private final AtomicLong clock = new AtomicLong(5_000_000_000L);
  private final List<String> proposed = new ArrayList<>();

  /** Applies expiries at once, as a one-node log would, and records them. */
  private final LockTable table =
      new LockTable() {
        @Override
        public CompletableFuture<LockResult> expire(String name, long renewedAt) {
          proposed.add(name + "@" + renewedAt);
          return super.expire(name, renewedAt);
        }
      };

  private final LeaseExpirer expirer = new LeaseExpirer(table, clock::get, Duration.ofMillis(10));

  {
    table.addListener(expirer);
  }

  private void lead(boolean leader) {
    expirer.onApplicationEvent(new RaftLeaderChangedEvent(this, 1, 2, leader ? 1 : 3));
  }

  private void advance(long millis) {
    clock.addAndGet(Duration.ofMillis(millis).toNanos());
  }

  /** Nothing is proposed {@code millis} in, and {@code expiry} one millisecond later. */
  private void expiresAfter(long millis, String expiry) {
    advance(millis);
    expirer.sweep();
    assertThat(proposed).isEmpty();
    advance(1);
    expirer.sweep();
    assertThat(proposed).containsExactly(expiry);
  }

  @Test
  void expiresALeaseOnceItsTtlHasPassedSinceThisNodeAppliedIt() {
    lead(true);
    table.acquire("a", "o", 1000);
    expiresAfter(999, "a@1");
    assertThat(table.localGrant("a")).isEmpty();
  }

  @Test
  void aRenewalRestartsTheTimer() {
    lead(true);
    table.acquire("a", "o", 1000);
    advance(900);
    table.renew("a", "o", 1000);
    expiresAfter(999, "a@2");
  }

  @Test
  void aFollowerProposesNothingButANewLeaderUsesTheTimersItRanAsFollower() {
    lead(false);
    table.acquire("a", "o", 1000);
    advance(2000);
    expirer.sweep();
    assertThat(proposed).isEmpty();
    lead(true);
    expirer.sweep();
    assertThat(proposed).containsExactly("a@1");
  }

  @Test
  void leasesRestoredFromASnapshotGetAFullTtlFromTheRestore() {
    LockTable other = new LockTable();
    other.acquire("a", "o", 1000);
    ByteString snapshot = other.snapshot();
    advance(5000);
    lead(true);
    table.restore(snapshot);
    expiresAfter(999, "a@1");
  }

  @Test
  void anExpiryIsProposedOnceWhileItIsOnItsWay() {
    LockTable pending =
        new LockTable() {
          @Override
          public CompletableFuture<LockResult> expire(String name, long renewedAt) {
            proposed.add(name + "@" + renewedAt);
            return new CompletableFuture<>();
          }
        };
    sweepTwiceAfterTheTtl(pending);
    assertThat(proposed).containsExactly("a@1");
  }

  @Test
  void aFailedProposalIsTriedAgain() {
    LockTable failing =
        new LockTable() {
          @Override
          public CompletableFuture<LockResult> expire(String name, long renewedAt) {
            proposed.add(name + "@" + renewedAt);
            return CompletableFuture.failedFuture(new IllegalStateException("no leader"));
          }
        };
    sweepTwiceAfterTheTtl(failing);
    assertThat(proposed).containsExactly("a@1", "a@1");
  }

  /** A leading expirer on {@code t}: a lease is granted, its TTL passes, and two sweeps run. */
  private void sweepTwiceAfterTheTtl(LockTable t) {
    LeaseExpirer e = new LeaseExpirer(t, clock::get, Duration.ofMillis(10));
    t.addListener(e);
    e.onApplicationEvent(new RaftLeaderChangedEvent(this, 1, 2, 1));
    t.acquire("a", "o", 10);
    advance(20);
    e.sweep();
    e.sweep();
  }

  @Test
  void startsAndStopsItsSweepThread() throws Exception {
    lead(true);
    table.acquire("a", "o", 1);
    advance(5);
    expirer.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (table.localGrant("a").isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(table.localGrant("a")).isEmpty();
      assertThat(expirer.isRunning()).isTrue();
    } finally {
      expirer.stop();
    }
    assertThat(expirer.isRunning()).isFalse();
  }
}
