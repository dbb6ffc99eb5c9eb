package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.AlreadyAppliedException;
import dev.raftboot.spring.api.InvalidCommandException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdempotencyTableTest {

  private static CommandEnvelope keyed(long requestId, String key, String command, int window) {
    return new CommandEnvelope(requestId, 1, ByteString.copyFromUtf8(command), key, window);
  }

  /** Applies {@code env} at {@code index} if the table says so; returns whether it did. */
  private static boolean offer(IdempotencyTable table, long index, CommandEnvelope env) {
    if (table.check(index, env) instanceof IdempotencyTable.Skip) {
      return false;
    }
    table.applied(index, env, "result of " + index, null);
    return true;
  }

  @Test
  void aRetryIsSkippedAndGetsTheFirstApplicationsOutcome() {
    IdempotencyTable table = new IdempotencyTable();
    CommandEnvelope first = keyed(1, "k", "deposit 10", 100);
    assertThat(table.check(5, first)).isInstanceOf(IdempotencyTable.Apply.class);
    IllegalStateException thrown = new IllegalStateException("refused");
    table.applied(5, first, null, thrown);

    IdempotencyTable.Verdict retry = table.check(9, keyed(2, "k", "deposit 10", 100));

    assertThat(retry).isEqualTo(new IdempotencyTable.Skip(null, thrown));
  }

  @Test
  void anotherCommandUnderAKeyAlreadyUsedIsSkippedAsInvalid() {
    IdempotencyTable table = new IdempotencyTable();
    table.applied(5, keyed(1, "k", "deposit 10", 100), 10L, null);

    IdempotencyTable.Verdict other = table.check(9, keyed(2, "k", "deposit 11", 100));

    assertThat(other).isInstanceOf(IdempotencyTable.Skip.class);
    assertThat(((IdempotencyTable.Skip) other).error())
        .isInstanceOf(InvalidCommandException.class)
        .hasMessageContaining("log index 5")
        .hasMessageContaining("not applied");
  }

  @Test
  void theOldestKeysAreForgottenBeyondTheWindowOfTheEntryBeingApplied() {
    IdempotencyTable table = new IdempotencyTable();
    for (int i = 1; i <= 5; i++) {
      assertThat(offer(table, i, keyed(i, "k" + i, "c" + i, 3))).isTrue();
    }
    assertThat(table.copy()).extracting(IdempotencyTable.Remembered::key).containsExactly("k3", "k4", "k5");
    // The window travels in the entry: a proposer configured with 1 trims the table to one key.
    assertThat(offer(table, 6, keyed(6, "k6", "c6", 1))).isTrue();
    assertThat(table.copy()).extracting(IdempotencyTable.Remembered::key).containsExactly("k6");
    // A forgotten key is applied again; a remembered one is not.
    assertThat(offer(table, 7, keyed(7, "k1", "c1", 3))).isTrue();
    assertThat(offer(table, 8, keyed(8, "k6", "c6", 3))).isFalse();
  }

  @Test
  void nodesThatApplyTheSameLogSkipTheSameEntriesWhateverTheyRestoredOnTheWay() {
    Random random = new Random(42);
    List<CommandEnvelope> log = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      log.add(keyed(i, "k" + random.nextInt(60), "c", 1 + random.nextInt(40)));
    }
    IdempotencyTable straight = new IdempotencyTable();
    List<Boolean> appliedStraight = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      appliedStraight.add(offer(straight, i + 1, log.get(i)));
    }
    // Another node restores a snapshot (through its encoding) every 97 entries.
    IdempotencyTable restored = new IdempotencyTable();
    List<Boolean> appliedRestored = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      if (i % 97 == 0) {
        ByteString data =
            new SnapshotEnvelope(Map.of(), ByteString.EMPTY, Map.of(), restored.copy()).encode();
        IdempotencyTable fresh = new IdempotencyTable();
        fresh.restore(SnapshotEnvelope.decode(data).idempotencyKeys());
        restored = fresh;
      }
      appliedRestored.add(offer(restored, i + 1, log.get(i)));
    }

    assertThat(appliedRestored).isEqualTo(appliedStraight);
    assertThat(restored.copy()).isEqualTo(straight.copy());
    assertThat(appliedStraight).contains(true, false);
  }

  @Test
  void aKeyRestoredFromASnapshotIsStillSkippedButItsOutcomeIsUnknown() {
    IdempotencyTable table = new IdempotencyTable();
    table.applied(5, keyed(1, "k", "deposit 10", 100), 10L, null);
    SnapshotEnvelope snapshot =
        new SnapshotEnvelope(
            Map.of(1L, URI.create("http://a:1")), ByteString.copyFromUtf8("s"), Map.of(1L, List.of(1L)), table.copy());

    SnapshotEnvelope decoded = SnapshotEnvelope.decode(snapshot.encode());
    IdempotencyTable restored = new IdempotencyTable();
    restored.restore(decoded.idempotencyKeys());

    assertThat(decoded.idempotencyKeys()).isEqualTo(table.copy());
    assertThat(decoded.appliedRequests()).isEqualTo(Map.of(1L, List.of(1L)));
    IdempotencyTable.Verdict retry = restored.check(9, keyed(2, "k", "deposit 10", 100));
    assertThat(((IdempotencyTable.Skip) retry).error())
        .isInstanceOfSatisfying(
            AlreadyAppliedException.class, e -> assertThat(e.firstIndex()).isEqualTo(5));
    assertThat(restored.check(9, keyed(3, "k", "deposit 11", 100)))
        .extracting(v -> ((IdempotencyTable.Skip) v).error())
        .isInstanceOf(InvalidCommandException.class);
  }

  @Test
  void snapshotsWithoutKeysDecodeWithAnEmptyTable() {
    // What the three-field format wrote.
    ByteString old =
        new SnapshotEnvelope(Map.of(1L, URI.create("http://a:1")), ByteString.copyFromUtf8("s"), Map.of(2L, List.of(7L)))
            .encode();

    SnapshotEnvelope decoded = SnapshotEnvelope.decode(old);

    assertThat(decoded.idempotencyKeys()).isEmpty();
    assertThat(decoded.appliedRequests()).isEqualTo(Map.of(2L, List.of(7L)));
    assertThat(decoded.state().toStringUtf8()).isEqualTo("s");
  }

  @Test
  void commandEntriesKeepTheirKeyAndOldEntriesDecodeWithout() {
    CommandEnvelope keyed = keyed(-3, "client-7:req-42 ü", "c", 10_000);
    assertThat(CommandEnvelope.decode(keyed.encode())).isEqualTo(keyed);

    // What the three-field format wrote: fixed64 request id, uint64 origin, bytes payload.
    ByteString.Output out = ByteString.newOutput();
    var cos = com.google.protobuf.CodedOutputStream.newInstance(out);
    try {
      cos.writeFixed64(1, 77);
      cos.writeUInt64(2, 3);
      cos.writeBytes(3, ByteString.copyFromUtf8("x=1"));
      cos.flush();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    CommandEnvelope old = CommandEnvelope.decode(out.toByteString());

    assertThat(old).isEqualTo(new CommandEnvelope(77, 3, ByteString.copyFromUtf8("x=1")));
    assertThat(old.hasKey()).isFalse();
    assertThat(old.encode()).isEqualTo(out.toByteString());
  }
}
