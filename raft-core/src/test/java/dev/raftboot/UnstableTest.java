package dev.raftboot;

import static dev.raftboot.RaftTestKit.QUIET;
import static dev.raftboot.RaftTestKit.entries;
import static dev.raftboot.RaftTestKit.snapshot;
import static dev.raftboot.RaftTestKit.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The unstable tail of the log: the snapshot and entries not yet known to be durable, which of
 * them are being written (in progress), and how they leave when the write completes.
 */
class UnstableTest {

  private static final Snapshot SNAP4 = snapshot(4, 1, voters(1));

  /** An unstable log at {@code offset} holding entries with the given terms, and maybe SNAP4. */
  private static Unstable unstable(long offset, boolean withSnapshot, long... terms) {
    Unstable u = new Unstable(offset, QUIET);
    u.entries.addAll(entries(offset, terms));
    if (withSnapshot) {
      u.snapshot = SNAP4;
    }
    return u;
  }

  private static List<String> ids(Unstable u) {
    return RaftTestKit.ids(u.entries);
  }

  // --- bounds and terms ------------------------------------------------------------------------

  /** The first index is known only through a snapshot: the entry after it. */
  @Test
  void maybeFirstIndex() {
    assertThat(unstable(5, false, 1).maybeFirstIndex()).isEqualTo(-1);
    assertThat(unstable(5, false).maybeFirstIndex()).isEqualTo(-1);
    assertThat(unstable(5, true, 1).maybeFirstIndex()).isEqualTo(5);
    assertThat(unstable(5, true).maybeFirstIndex()).isEqualTo(5);
  }

  /** The last index is the last entry's, or the snapshot's when there are no entries. */
  @Test
  void maybeLastIndex() {
    assertThat(unstable(5, false, 1).maybeLastIndex()).isEqualTo(5);
    assertThat(unstable(5, true, 1, 1).maybeLastIndex()).isEqualTo(6);
    assertThat(unstable(5, true).maybeLastIndex()).isEqualTo(4);
    assertThat(unstable(0, false).maybeLastIndex()).isEqualTo(-1);
  }

  /** Terms are known for the entries held and for the snapshot's own index, nothing else. */
  @ParameterizedTest(name = "offset 5, snapshot={0}, term({1}) = {2}")
  @CsvSource({
    "false, 5, 1",
    "false, 6, -1",
    "false, 4, -1",
    "true, 5, 1",
    "true, 4, 1",
    "true, 3, -1",
    "true, 6, -1",
  })
  void maybeTerm(boolean withSnapshot, long index, long want) {
    assertThat(unstable(5, withSnapshot, 1).maybeTerm(index)).isEqualTo(want);
  }

  @Test
  void maybeTermWithOnlySnapshot() {
    Unstable u = unstable(5, true);
    assertThat(u.maybeTerm(4)).isEqualTo(1);
    assertThat(u.maybeTerm(5)).isEqualTo(-1);
    assertThat(unstable(5, false).maybeTerm(4)).isEqualTo(-1);
  }

  // --- handing out and accepting -----------------------------------------------------------------

  /** Only entries from offsetInProgress on are handed out again. */
  @ParameterizedTest(name = "in progress from {0} -> {1} entries")
  @CsvSource({"5, 2", "6, 1", "7, 0"})
  void nextEntriesSkipsThoseInProgress(long offsetInProgress, int want) {
    Unstable u = unstable(5, false, 1, 1);
    u.offsetInProgress = offsetInProgress;
    assertThat(u.nextEntries()).hasSize(want);
    if (want > 0) {
      assertThat(u.nextEntries().get(0).getIndex()).isEqualTo(offsetInProgress);
    }
  }

  @Test
  void nextSnapshotOnlyUntilInProgress() {
    Unstable u = unstable(5, true);
    assertThat(u.nextSnapshot()).isSameAs(SNAP4);
    u.snapshotInProgress = true;
    assertThat(u.nextSnapshot()).isNull();
    assertThat(unstable(5, false).nextSnapshot()).isNull();
  }

  /** Accepting marks everything held as being written, entries and snapshot alike. */
  @Test
  void acceptInProgressMarksEverything() {
    Unstable u = unstable(5, true, 1, 1);
    u.acceptInProgress();
    assertThat(u.offsetInProgress).isEqualTo(7);
    assertThat(u.snapshotInProgress).isTrue();
    assertThat(u.nextEntries()).isEmpty();
    assertThat(u.nextSnapshot()).isNull();
    // Nothing held: nothing changes.
    Unstable empty = unstable(5, false);
    empty.acceptInProgress();
    assertThat(empty.offsetInProgress).isEqualTo(5);
    assertThat(empty.snapshotInProgress).isFalse();
  }

  // --- stableTo ------------------------------------------------------------------------------

  /**
   * A completed write removes the entries up to the written one, provided that entry is still the
   * one held (same term). Otherwise — missing, replaced in a newer term, or matching only the
   * snapshot — the report is ignored.
   */
  @ParameterizedTest(name = "offset {0}, terms {1}, snapshot={2}, stableTo ({3},{4}) -> offset {5}, {6} left")
  @CsvSource({
    "5, '1', false, 5, 1, 6, 0",
    "5, '1 1', false, 5, 1, 6, 1",
    "6, '2', false, 6, 2, 7, 0",
    "5, '1', false, 4, 1, 5, 1",
    "5, '1', false, 5, 2, 5, 1",
    "5, '1', false, 6, 1, 5, 1",
    "5, '1', true, 4, 1, 5, 1",
    "5, '1', true, 5, 1, 6, 0",
    "5, '1 1', true, 6, 1, 7, 0",
    "5, '1', true, 5, 2, 5, 1",
    "5, '', true, 4, 1, 5, 0",
  })
  void stableTo(
      long offset,
      String terms,
      boolean withSnapshot,
      long index,
      long term,
      long wantOffset,
      int wantLen) {
    long[] ts =
        terms.isBlank()
            ? new long[0]
            : java.util.Arrays.stream(terms.trim().split(" ")).mapToLong(Long::parseLong).toArray();
    Unstable u = unstable(offset, withSnapshot, ts);
    u.acceptInProgress();
    u.stableTo(new EntryId(term, index));
    assertThat(u.offset).isEqualTo(wantOffset);
    assertThat(u.entries).hasSize(wantLen);
    assertThat(u.offsetInProgress).isGreaterThanOrEqualTo(u.offset);
  }

  /** Entries stabilized while others are in progress keep offsetInProgress where it was. */
  @Test
  void stableToKeepsLaterInProgressEntries() {
    Unstable u = unstable(5, false, 1, 1, 1);
    u.acceptInProgress();
    u.stableTo(new EntryId(1, 6));
    assertThat(u.offset).isEqualTo(7);
    assertThat(u.offsetInProgress).isEqualTo(8);
    assertThat(ids(u)).containsExactly("7/1");
  }

  @Test
  void stableSnapToClearsOnlyTheMatchingSnapshot() {
    Unstable u = unstable(5, true);
    u.acceptInProgress();
    u.stableSnapTo(3);
    assertThat(u.snapshot).isSameAs(SNAP4);
    u.stableSnapTo(4);
    assertThat(u.snapshot).isNull();
    assertThat(u.snapshotInProgress).isFalse();
  }

  // --- restore and truncateAndAppend -----------------------------------------------------------

  /** Restoring drops all entries and starts after the snapshot, nothing in progress. */
  @Test
  void restore() {
    Unstable u = unstable(5, true, 1, 1);
    u.acceptInProgress();
    Snapshot s = snapshot(6, 2, voters(1));
    u.restore(s);
    assertThat(u.offset).isEqualTo(7);
    assertThat(u.offsetInProgress).isEqualTo(7);
    assertThat(u.entries).isEmpty();
    assertThat(u.snapshot).isSameAs(s);
    assertThat(u.snapshotInProgress).isFalse();
  }

  /**
   * Appending continues the tail; entries starting at or before the offset replace everything
   * held; entries starting inside the tail truncate it there. Whatever is replaced must be written
   * again, so offsetInProgress never stays beyond the first new entry.
   */
  @ParameterizedTest(name = "append {1} at {0} -> offset {2}, {3}, in progress {4}")
  @CsvSource({
    // offset 5, held 5/1 6/1 7/1 (all in progress, offsetInProgress 8)
    "8, '1 1', 5, '5/1 6/1 7/1 8/1 9/1', 8",
    "5, '2 2', 5, '5/2 6/2', 5",
    "4, '2 2 2', 4, '4/2 5/2 6/2', 4",
    "6, '2', 5, '5/1 6/2', 6",
    "7, '2 2', 5, '5/1 6/1 7/2 8/2', 7",
  })
  void truncateAndAppend(long from, String terms, long wantOffset, String want, long wantInProgress) {
    Unstable u = unstable(5, false, 1, 1, 1);
    u.acceptInProgress();
    long[] ts = java.util.Arrays.stream(terms.split(" ")).mapToLong(Long::parseLong).toArray();
    u.truncateAndAppend(entries(from, ts));
    assertThat(u.offset).isEqualTo(wantOffset);
    assertThat(String.join(" ", ids(u))).isEqualTo(want);
    assertThat(u.offsetInProgress).isEqualTo(wantInProgress);
  }

  /** Entries not yet in progress stay out of progress after a truncation behind them. */
  @Test
  void truncateBeforeInProgressBoundary() {
    Unstable u = unstable(5, false, 1, 1, 1);
    u.offsetInProgress = 6;
    u.truncateAndAppend(entries(7, 2));
    assertThat(u.offsetInProgress).isEqualTo(6);
    assertThat(RaftTestKit.ids(u.nextEntries())).containsExactly("6/1", "7/2");
  }

  @Test
  void sliceChecksBounds() {
    Unstable u = unstable(5, false, 1, 1, 1);
    List<Entry> mid = u.slice(6, 8);
    assertThat(RaftTestKit.ids(mid)).containsExactly("6/1", "7/1");
    assertThat(u.slice(5, 5)).isEmpty();
    assertThatThrownBy(() -> u.slice(4, 6)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> u.slice(6, 9)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> u.slice(7, 6)).isInstanceOf(IllegalStateException.class);
  }
}
