package dev.raftboot.spring.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.lock.LockResult.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LockTableTests {

  private final LockTable table = new LockTable();

  private static LockResult result(java.util.concurrent.CompletableFuture<LockResult> f) {
    return f.join();
  }

  @Test
  void grantsAFreeLockWithTheNewRevisionAsToken() {
    LockResult a = result(table.acquire("a", "o1", 1000));
    LockResult b = result(table.acquire("b", "o2", 1000));
    assertThat(a.status()).isEqualTo(Status.GRANTED);
    assertThat(a.grant().token()).isEqualTo(1);
    assertThat(b.grant().token()).isEqualTo(2);
    assertThat(table.localGrant("a")).contains(a.grant());
  }

  @Test
  void refusesAHeldLockAndNamesTheHolder() {
    LockGrant held = result(table.acquire("a", "o1", 1000)).grant();
    LockResult r = result(table.acquire("a", "o2", 1000));
    assertThat(r.status()).isEqualTo(Status.HELD);
    assertThat(r.grant()).isEqualTo(held);
  }

  @Test
  void aRetriedAcquisitionByTheSameOwnerRenewsAndKeepsTheToken() {
    LockGrant first = result(table.acquire("a", "o1", 1000)).grant();
    LockGrant again = result(table.acquire("a", "o1", 2000)).grant();
    assertThat(again.token()).isEqualTo(first.token());
    assertThat(again.renewedAt()).isGreaterThan(first.renewedAt());
    assertThat(again.ttlMillis()).isEqualTo(2000);
  }

  @Test
  void aReleasedLockGoesToTheNextOwnerWithALargerToken() {
    LockGrant first = result(table.acquire("a", "o1", 1000)).grant();
    assertThat(result(table.release("a", "o2")).status()).isEqualTo(Status.NOT_HELD);
    assertThat(result(table.release("a", "o1")).status()).isEqualTo(Status.RELEASED);
    LockGrant second = result(table.acquire("a", "o2", 1000)).grant();
    assertThat(second.token()).isGreaterThan(first.token());
  }

  @Test
  void anExpiryOfAnEarlierRenewalIsIgnored() {
    LockGrant granted = result(table.acquire("a", "o1", 1000)).grant();
    LockGrant renewed = result(table.renew("a", "o1", 1000)).grant();
    assertThat(result(table.expire("a", granted.renewedAt())).status()).isEqualTo(Status.NOT_HELD);
    assertThat(table.localGrant("a")).contains(renewed);
    assertThat(result(table.expire("a", renewed.renewedAt())).status()).isEqualTo(Status.EXPIRED);
    assertThat(table.localGrant("a")).isEmpty();
    assertThat(result(table.renew("a", "o1", 1000)).status()).isEqualTo(Status.NOT_HELD);
  }

  @Test
  void badArgumentsAreRefusedWithWhatToWriteInstead() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> table.acquire("", "o", 10))
        .withMessageContaining("1 to 256 characters");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> table.acquire("a", "o", 0))
        .withMessageContaining("at least 1 ms");
    assertThatIllegalArgumentException().isThrownBy(() -> table.acquire("a".repeat(257), "o", 10));
    assertThat(table.revision()).isZero();
  }

  @Test
  void listenersHearGrantsRenewalsAndFrees() {
    List<String> heard = new ArrayList<>();
    table.addListener(
        new LockTableListener() {
          @Override
          public void leaseStarted(LockGrant grant) {
            heard.add("start " + grant.name() + "@" + grant.renewedAt());
          }

          @Override
          public void lockFreed(String name) {
            heard.add("free " + name);
          }
        });
    table.acquire("a", "o1", 10);
    table.acquire("a", "o2", 10);
    table.renew("a", "o1", 10);
    table.release("a", "o1");
    assertThat(heard).containsExactly("start a@1", "start a@2", "free a");
  }

  @Test
  void restoreRefusesAnUnknownFormat() {
    assertThatIllegalStateException()
        .isThrownBy(() -> table.restore(ByteString.copyFrom(new byte[] {0, 0, 0, 9})))
        .withMessageContaining("format 9");
  }

  /**
   * Random command sequences: at most one holder per lock, every grant of a lock has a larger
   * token than the grant before it, and a table restored from a snapshot taken at any point
   * behaves exactly like the original from there on.
   */
  @Test
  void randomSequencesKeepTheInvariantsAndSnapshotsAreExact() {
    for (long seed = 1; seed <= 200; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      LockTable original = new LockTable();
      LockTable restored = null;
      Map<String, Long> lastToken = new HashMap<>();
      int snapshotAt = random.nextInt(300);
      for (int step = 0; step < 300; step++) {
        if (step == snapshotAt) {
          restored = new LockTable();
          restored.restore(original.snapshot());
          assertThat(restored.localGrants()).isEqualTo(original.localGrants());
          assertThat(restored.revision()).isEqualTo(original.revision());
        }
        String name = "l" + random.nextInt(3);
        String owner = "o" + random.nextInt(4);
        int op = random.nextInt(4);
        LockGrant before = original.localGrant(name).orElse(null);
        long expireAt = before == null ? 1 : before.renewedAt() - (random.nextInt(3) == 0 ? 1 : 0);
        LockResult r = apply(original, op, name, owner, expireAt);
        if (restored != null) {
          assertThat(apply(restored, op, name, owner, expireAt))
              .as("seed %d step %d", seed, step)
              .isEqualTo(r);
        }
        if (r.status() == Status.GRANTED && (before == null || !before.owner().equals(owner))) {
          long previous = lastToken.getOrDefault(name, 0L);
          assertThat(r.grant().token()).as("seed %d: token of a new grant", seed).isGreaterThan(previous);
          lastToken.put(name, r.grant().token());
        }
        original.localGrant(name).ifPresent(g -> assertThat(g.token()).isEqualTo(lastToken.get(name)));
        assertThat(original.revision())
            .isGreaterThanOrEqualTo(original.localGrants().values().stream().mapToLong(LockGrant::renewedAt).max().orElse(0));
      }
    }
  }

  private static LockResult apply(LockTable t, int op, String name, String owner, long expireAt) {
    return switch (op) {
      case 0 -> t.acquire(name, owner, 100).join();
      case 1 -> t.renew(name, owner, 100).join();
      case 2 -> t.release(name, owner).join();
      default -> t.expire(name, expireAt).join();
    };
  }
}
