package dev.raftboot.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.testkit.linearizability.HistoryEntry;
import dev.raftboot.testkit.linearizability.Operation;
import dev.raftboot.testkit.linearizability.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The apply-once check of the process crash test on hand-made histories: it passes and it fails. */
class ReappearingValuesTests {

  private static HistoryEntry put(long id, String value, long invoke, long response) {
    return new HistoryEntry(id, 1, Operation.put("k", value), Result.ok(), invoke, response);
  }

  private static HistoryEntry read(long id, String value, long invoke, long response) {
    return new HistoryEntry(id, 2, Operation.get("k"),
        value == null ? Result.okAbsent() : Result.okValue(value), invoke, response);
  }

  @Test
  void acceptsValuesThatFollowEachOther() {
    assertThat(ReappearingValues.find(List.of(
        put(1, "a", 0, 10), read(2, "a", 11, 12), read(3, "a", 13, 14),
        put(4, "b", 15, 20), read(5, "b", 21, 22), read(6, null, 23, 24))))
        .isEmpty();
  }

  @Test
  void acceptsReadsThatOverlapAWrite() {
    // While b is being written, reads may see a and b in either order.
    assertThat(ReappearingValues.find(List.of(
        put(1, "a", 0, 1), put(2, "b", 2, 20), read(3, "b", 3, 10), read(4, "a", 4, 12))))
        .isEmpty();
  }

  @Test
  void rejectsAValueAppliedAgainAfterAnother() {
    // What a retry without an idempotency key does: the first put of a was applied, b overwrote
    // it, and the retry of a was applied again.
    assertThat(ReappearingValues.find(List.of(
        put(1, "a", 0, 50), read(2, "a", 5, 6), put(3, "b", 7, 8), read(4, "b", 9, 10),
        read(5, "a", 11, 12))))
        .containsExactly("k=a read again after a read of k=b (op #4) that followed it");
  }

  @Test
  void rejectsAValueThatReturnsAfterADelete() {
    assertThat(ReappearingValues.find(List.of(
        read(1, "a", 0, 1), read(2, null, 2, 3), read(3, "a", 4, 5))))
        .containsExactly("k=a read again after a read of no value (op #2) that followed it");
  }
}
