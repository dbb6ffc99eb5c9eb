package dev.raftboot;

import static dev.raftboot.RaftTestKit.QUIET;
import static dev.raftboot.RaftTestKit.entries;
import static dev.raftboot.RaftTestKit.entry;
import static dev.raftboot.RaftTestKit.ids;
import static dev.raftboot.RaftTestKit.snapshot;
import static dev.raftboot.RaftTestKit.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The node's whole log (stable storage plus unstable tail): conflict detection, appending with
 * the consistency check, commit and apply positions, what is handed out for persisting and
 * applying, terms and slices across the storage/unstable boundary, compaction and snapshots.
 */
class RaftLogTest {

  private static RaftLog log(MemoryStorage s) {
    return new RaftLog(s, QUIET, RaftUtil.NO_LIMIT);
  }

  /** A log whose entries (terms given, from index 1) are all unstable. */
  private static RaftLog unstableLog(long... terms) {
    RaftLog l = log(new MemoryStorage());
    l.append(entries(1, terms));
    return l;
  }

  private static List<Entry> parse(String spec) {
    List<Entry> out = new ArrayList<>();
    if (spec.isBlank()) {
      return out;
    }
    for (String e : spec.trim().split(" ")) {
      String[] p = e.split("/");
      out.add(entry(Long.parseLong(p[0]), Long.parseLong(p[1])));
    }
    return out;
  }

  private static long[] terms(String spec) {
    return Arrays.stream(spec.trim().split(" ")).mapToLong(Long::parseLong).toArray();
  }

  // --- conflicts --------------------------------------------------------------------------------

  /**
   * The first entry that is new or differs in term from ours; 0 if all are already present (log
   * 1/1 2/2 3/3).
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "'', 0",
    "'1/1 2/2 3/3', 0",
    "'2/2 3/3', 0",
    "'3/3', 0",
    "'1/1 2/2 3/3 4/4 5/4', 4",
    "'2/2 3/3 4/4 5/4', 4",
    "'3/3 4/4 5/4', 4",
    "'4/4 5/4', 4",
    "'1/4 2/4', 1",
    "'2/1 3/4 4/4', 2",
    "'3/1 4/2 5/4 6/4', 3",
  })
  void findConflict(String ents, long want) {
    assertThat(unstableLog(1, 2, 3).findConflict(parse(ents))).isEqualTo(want);
  }

  /**
   * The last index at or below the given one whose term is not above the given term. Log: snapshot
   * at (10, 3), then 11/3 12/4 13/4 14/5. Where the term is unknown (compacted or beyond the log)
   * the index is returned with term 0, a possible match.
   */
  @ParameterizedTest(name = "({0},{1}) -> ({2},{3})")
  @CsvSource({
    "14, 5, 14, 5",
    "14, 9, 14, 5",
    "14, 4, 13, 4",
    "13, 4, 13, 4",
    "14, 3, 11, 3",
    "12, 3, 11, 3",
    "11, 3, 11, 3",
    "10, 3, 10, 3",
    "14, 2, 9, 0",
    "10, 2, 9, 0",
    "20, 5, 20, 0",
    "0, 0, 0, 0",
  })
  void findConflictByTerm(long index, long term, long wantIndex, long wantTerm) {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snapshot(10, 3, voters(1)));
    s.append(entries(11, 3, 4));
    RaftLog l = log(s);
    l.append(entries(13, 4, 5));
    assertThat(l.findConflictByTerm(index, term)).isEqualTo(new EntryId(wantTerm, wantIndex));
  }

  /** Paper 5.4.1: later last term wins; same last term, the longer log wins (log ends at 3/3). */
  @ParameterizedTest(name = "({0},{1}) up to date: {2}")
  @CsvSource({
    "4, 2, true",
    "4, 3, true",
    "4, 4, true",
    "3, 2, false",
    "3, 3, true",
    "3, 4, true",
    "2, 2, false",
    "2, 3, false",
    "2, 4, false",
  })
  void isUpToDate(long term, long index, boolean want) {
    assertThat(unstableLog(1, 2, 3).isUpToDate(new EntryId(term, index))).isEqualTo(want);
  }

  // --- appending ----------------------------------------------------------------------------------

  /** Append overwrites from the first new index on (log 1/1 2/2, nothing committed). */
  @ParameterizedTest(name = "append {0} -> {1}")
  @CsvSource({
    "'', '1/1 2/2'",
    "'3/2', '1/1 2/2 3/2'",
    "'1/2', '1/2'",
    "'2/3 3/3', '1/1 2/3 3/3'",
  })
  void append(String ents, String want) {
    MemoryStorage s = new MemoryStorage();
    s.append(entries(1, 1, 2));
    RaftLog l = log(s);
    long last = l.append(parse(ents));
    assertThat(String.join(" ", ids(l.allEntries()))).isEqualTo(want);
    assertThat(last).isEqualTo(parse(want).size());
    // The unstable tail starts at the first new entry (or after the storage if nothing new).
    long firstNew = ents.isBlank() ? 3 : parse(ents).get(0).getIndex();
    assertThat(l.unstable.offset).isEqualTo(firstNew);
  }

  @Test
  void appendingBeforeCommitPanics() {
    RaftLog l = unstableLog(1, 2, 3);
    l.commitTo(2);
    assertThatThrownBy(() -> l.append(parse("2/4"))).isInstanceOf(IllegalStateException.class);
  }

  /**
   * The consistency check and append as a follower does it (log 1/1 2/2 3/3, commit 1): a
   * mismatch at prev returns -1 and changes nothing; otherwise the new entries go in from the
   * first conflict, and the commit index moves to min(leader commit, last new index) — never
   * backwards. Overwriting a committed entry is a fatal error.
   */
  @ParameterizedTest(name = "prev ({0},{1}) commit {2} ents {3} -> {4}, commit {5}")
  @CsvSource({
    "3, 2, 3, '', -1, 1",
    "4, 3, 3, '', -1, 1",
    "3, 3, 3, '', 3, 3",
    "3, 3, 4, '', 3, 3",
    "3, 3, 2, '', 3, 2",
    "3, 3, 0, '', 3, 1",
    "2, 2, 3, '', 2, 2",
    "3, 3, 4, '4/4', 4, 4",
    "3, 3, 3, '4/4', 4, 3",
    "3, 3, 4, '4/4 5/4', 5, 4",
    "2, 2, 3, '3/4', 3, 3",
    "1, 1, 3, '2/4 3/4', 3, 3",
    "1, 1, 2, '2/2', 2, 2",
  })
  void maybeAppend(
      long prevIndex, long prevTerm, long commit, String ents, long want, long wantCommit) {
    RaftLog l = unstableLog(1, 2, 3);
    l.commitTo(1);
    List<Entry> before = l.allEntries();
    long got = l.maybeAppend(new EntryId(prevTerm, prevIndex), parse(ents), commit);
    assertThat(got).isEqualTo(want);
    assertThat(l.committed).isEqualTo(wantCommit);
    if (want == -1) {
      assertThat(l.allEntries()).isEqualTo(before);
    } else {
      // The entries sent are now in the log.
      for (Entry e : parse(ents)) {
        assertThat(l.term(e.getIndex())).isEqualTo(e.getTerm());
      }
    }
  }

  @Test
  void maybeAppendOverCommittedEntryPanics() {
    RaftLog l = unstableLog(1, 2, 3);
    l.commitTo(2);
    assertThatThrownBy(() -> l.maybeAppend(new EntryId(1, 1), parse("2/4"), 3))
        .isInstanceOf(IllegalStateException.class);
  }

  // --- commit and apply positions ---------------------------------------------------------------

  @Test
  void commitToOnlyMovesForwardAndWithinTheLog() {
    RaftLog l = unstableLog(1, 2, 3);
    l.commitTo(2);
    assertThat(l.committed).isEqualTo(2);
    l.commitTo(1);
    assertThat(l.committed).isEqualTo(2);
    l.commitTo(3);
    assertThat(l.committed).isEqualTo(3);
    assertThatThrownBy(() -> l.commitTo(4)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void maybeCommitRequiresTermMatch() {
    RaftLog l = unstableLog(1, 2, 3);
    assertThat(l.maybeCommit(new EntryId(2, 3))).isFalse();
    assertThat(l.maybeCommit(new EntryId(0, 1))).isFalse();
    assertThat(l.maybeCommit(new EntryId(2, 2))).isTrue();
    assertThat(l.committed).isEqualTo(2);
    assertThat(l.maybeCommit(new EntryId(1, 1))).isFalse();
    assertThat(l.committed).isEqualTo(2);
  }

  @Test
  void appliedToStaysBetweenAppliedAndCommitted() {
    RaftLog l = unstableLog(1, 1, 1, 1);
    l.commitTo(3);
    l.appliedTo(2, 0);
    assertThat(l.applied).isEqualTo(2);
    assertThat(l.applying).isEqualTo(2);
    assertThatThrownBy(() -> l.appliedTo(4, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> l.appliedTo(1, 0)).isInstanceOf(IllegalStateException.class);
    l.appliedTo(3, 0);
    assertThat(l.applied).isEqualTo(3);
  }

  /**
   * What is handed out for applying: committed entries after applying, including unstable ones
   * only when allowed, and none while a snapshot is pending. Log: snapshot at 3, entries 4 and 5
   * stable, 6 unstable.
   */
  @ParameterizedTest(name = "applying {0}, commit {1}, allowUnstable={2}, snapshot={3} -> {4}")
  @CsvSource({
    "3, 5, true, false, '4/1 5/1'",
    "3, 5, false, false, '4/1 5/1'",
    "3, 6, true, false, '4/1 5/1 6/1'",
    "3, 6, false, false, '4/1 5/1'",
    "4, 6, true, false, '5/1 6/1'",
    "5, 5, true, false, ''",
    "5, 6, false, false, ''",
    "3, 6, true, true, ''",
  })
  void nextCommittedEntries(
      long applying, long commit, boolean allowUnstable, boolean pendingSnapshot, String want) {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snapshot(3, 1, voters(1)));
    s.append(entries(4, 1, 1));
    RaftLog l = log(s);
    l.append(entries(6, 1));
    l.commitTo(commit);
    l.applying = applying;
    if (pendingSnapshot) {
      l.unstable.snapshot = snapshot(4, 1, voters(1));
    }
    assertThat(String.join(" ", ids(l.nextCommittedEnts(allowUnstable)))).isEqualTo(want);
    assertThat(l.hasNextCommittedEnts(allowUnstable)).isEqualTo(!want.isEmpty());
  }

  /**
   * The apply quota: handing out entries counts their size; at or over the limit, or when the
   * batch was cut short by it, nothing more is handed out until applied entries are reported.
   */
  @Test
  void applyQuotaPausesHandingOutEntries() {
    MemoryStorage s = new MemoryStorage();
    RaftLog l = new RaftLog(s, QUIET, 10);
    // Each entry is 4 bytes: two fit in 10, three do not.
    l.append(entries(1, 1, 1, 1, 1, 1));
    l.commitTo(5);
    List<Entry> first = l.nextCommittedEnts(true);
    assertThat(ids(first)).containsExactly("1/1", "2/1");
    l.acceptApplying(2, Entries.size(first), true);
    assertThat(l.applyingEntsPaused).isTrue();
    assertThat(l.hasNextCommittedEnts(true)).isFalse();
    assertThat(l.nextCommittedEnts(true)).isEmpty();
    l.appliedTo(2, Entries.size(first));
    assertThat(l.applyingEntsSize).isZero();
    assertThat(l.applyingEntsPaused).isFalse();
    List<Entry> second = l.nextCommittedEnts(true);
    assertThat(ids(second)).containsExactly("3/1", "4/1");
    l.acceptApplying(4, Entries.size(second), true);
    l.appliedTo(4, Entries.size(second));
    List<Entry> third = l.nextCommittedEnts(true);
    assertThat(ids(third)).containsExactly("5/1");
    l.acceptApplying(5, Entries.size(third), true);
    // Not paused: the batch reached the commit index within the quota.
    assertThat(l.applyingEntsPaused).isFalse();
  }

  /** Unstable entries are handed out for persisting once; stableTo drops them from the tail. */
  @Test
  void nextUnstableEntriesAndStableTo() {
    MemoryStorage s = new MemoryStorage();
    s.append(entries(1, 1));
    RaftLog l = log(s);
    l.append(entries(2, 1, 2));
    assertThat(ids(l.nextUnstableEnts())).containsExactly("2/1", "3/2");
    l.acceptUnstable();
    assertThat(l.nextUnstableEnts()).isEmpty();
    assertThat(l.hasNextOrInProgressUnstableEnts()).isTrue();
    s.append(entries(2, 1, 2));
    l.stableTo(new EntryId(2, 3));
    assertThat(l.unstable.offset).isEqualTo(4);
    assertThat(l.hasNextOrInProgressUnstableEnts()).isFalse();
    // A stale report for an entry that was since replaced changes nothing.
    l.append(entries(4, 3));
    l.stableTo(new EntryId(2, 4));
    assertThat(l.unstable.offset).isEqualTo(4);
  }

  // --- terms, slices, compaction ----------------------------------------------------------------

  /**
   * Terms are known from firstIndex-1 (the compaction point) to lastIndex; below that the entry is
   * compacted, above it unavailable.
   */
  @Test
  void termRange() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snapshot(100, 4, voters(1)));
    RaftLog l = log(s);
    l.append(entries(101, 5, 6, 6));
    assertThat(l.firstIndex()).isEqualTo(101);
    assertThat(l.lastIndex()).isEqualTo(103);
    assertThat(l.term(100)).isEqualTo(4);
    assertThat(l.term(101)).isEqualTo(5);
    assertThat(l.term(103)).isEqualTo(6);
    assertThatThrownBy(() -> l.term(99)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> l.term(104)).isInstanceOf(UnavailableException.class);
    assertThat(l.zeroTermOnOutOfBounds(99)).isZero();
    assertThat(l.zeroTermOnOutOfBounds(104)).isZero();
    assertThat(l.lastEntryId()).isEqualTo(new EntryId(6, 103));
  }

  /** An unstable (restored) snapshot defines the log's start and the term at its index. */
  @Test
  void termWithUnstableSnapshot() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snapshot(100, 1, voters(1)));
    RaftLog l = log(s);
    l.restore(snapshot(105, 2, voters(1)));
    assertThat(l.firstIndex()).isEqualTo(106);
    assertThat(l.lastIndex()).isEqualTo(105);
    assertThat(l.committed).isEqualTo(105);
    assertThat(l.term(105)).isEqualTo(2);
    assertThatThrownBy(() -> l.term(104)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> l.term(100)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> l.term(106)).isInstanceOf(UnavailableException.class);
    assertThat(l.hasNextOrInProgressSnapshot()).isTrue();
    assertThat(l.snapshot().getMetadata().getIndex()).isEqualTo(105);
  }

  /** A log built on a snapshot in storage starts with everything up to it committed and applied. */
  @Test
  void logRestoredFromStorage() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snapshot(100, 1000, voters(1)));
    RaftLog l = log(s);
    assertThat(l.allEntries()).isEmpty();
    assertThat(l.firstIndex()).isEqualTo(101);
    assertThat(l.committed).isEqualTo(100);
    assertThat(l.applied).isEqualTo(100);
    assertThat(l.applying).isEqualTo(100);
    assertThat(l.unstable.offset).isEqualTo(101);
    assertThat(l.term(100)).isEqualTo(1000);
  }

  /**
   * Slices span the storage and the unstable tail and respect the size limit (each entry here is 4
   * bytes), always returning at least one entry. Log: compacted to 2, 3..5 in storage, 6..8
   * unstable.
   */
  @ParameterizedTest(name = "[{0},{1}) within {2} -> {3}")
  @CsvSource({
    "3, 3, -1, ''",
    "3, 4, -1, '3'",
    "3, 9, -1, '3 4 5 6 7 8'",
    "4, 7, -1, '4 5 6'",
    "6, 9, -1, '6 7 8'",
    "3, 9, 0, '3'",
    "6, 9, 0, '6'",
    "3, 9, 8, '3 4'",
    "3, 9, 12, '3 4 5'",
    "3, 9, 13, '3 4 5'",
    "3, 9, 16, '3 4 5 6'",
    "5, 9, 8, '5 6'",
    "5, 9, 11, '5 6'",
  })
  void slice(long lo, long hi, long maxSize, String want) {
    MemoryStorage s = new MemoryStorage();
    s.append(entries(1, 1, 1, 1, 1, 1));
    s.compact(2);
    RaftLog l = log(s);
    l.append(entries(6, 1, 1, 1));
    List<Entry> got = l.slice(lo, hi, maxSize);
    assertThat(String.join(" ", got.stream().map(e -> Long.toString(e.getIndex())).toList()))
        .isEqualTo(want);
  }

  @Test
  void sliceOutOfBounds() {
    // Entries 1..5, compacted to 2: the log is [3, 5].
    MemoryStorage s = new MemoryStorage();
    s.append(entries(1, 1, 1, 1, 1, 1));
    s.compact(2);
    RaftLog l = log(s);
    assertThatThrownBy(() -> l.slice(2, 4, RaftUtil.NO_LIMIT))
        .isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> l.slice(3, 7, RaftUtil.NO_LIMIT))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> l.slice(5, 4, RaftUtil.NO_LIMIT))
        .isInstanceOf(IllegalStateException.class);
    assertThat(l.slice(3, 6, RaftUtil.NO_LIMIT)).hasSize(3);
  }

  /**
   * Compacting the storage moves the log's first index; the last index and the terms still in
   * range are unaffected, and entries below are gone.
   */
  @Test
  void compactionMovesFirstIndex() {
    MemoryStorage s = new MemoryStorage();
    s.append(entries(1, 1, 1, 2, 2, 3));
    RaftLog l = log(s);
    l.append(entries(6, 3, 3));
    l.commitTo(5);
    s.compact(4);
    assertThat(l.firstIndex()).isEqualTo(5);
    assertThat(l.lastIndex()).isEqualTo(7);
    assertThat(l.term(4)).isEqualTo(2);
    assertThat(l.term(7)).isEqualTo(3);
    assertThat(ids(l.allEntries())).containsExactly("5/3", "6/3", "7/3");
    assertThatThrownBy(() -> l.entries(4, RaftUtil.NO_LIMIT))
        .isInstanceOf(CompactedException.class);
    assertThat(l.entries(8, RaftUtil.NO_LIMIT)).isEmpty();
  }

  /** Scanning visits [lo, hi) in pages within the size limit, stopping when asked. */
  @Test
  void scanVisitsPagesInOrder() {
    RaftLog l = unstableLog(1, 1, 1, 1, 1, 1, 1);
    List<List<Long>> pages = new ArrayList<>();
    boolean stopped =
        l.scan(
            2,
            8,
            8,
            page -> {
              pages.add(page.stream().map(Entry::getIndex).toList());
              return false;
            });
    assertThat(stopped).isFalse();
    assertThat(pages).containsExactly(List.of(2L, 3L), List.of(4L, 5L), List.of(6L, 7L));
    pages.clear();
    stopped =
        l.scan(
            1,
            8,
            0,
            page -> {
              pages.add(page.stream().map(Entry::getIndex).toList());
              return page.get(0).getIndex() == 3;
            });
    assertThat(stopped).isTrue();
    assertThat(pages).containsExactly(List.of(1L), List.of(2L), List.of(3L));
  }

  /** Restoring a snapshot empties the log and commits everything up to the snapshot. */
  @Test
  void restoreResetsTheLog() {
    RaftLog l = unstableLog(1, 1, 2);
    Snapshot snap = snapshot(10, 3, voters(1));
    l.restore(snap);
    assertThat(l.committed).isEqualTo(10);
    assertThat(l.lastIndex()).isEqualTo(10);
    assertThat(l.firstIndex()).isEqualTo(11);
    assertThat(l.lastEntryId()).isEqualTo(new EntryId(3, 10));
    assertThat(l.nextUnstableEnts()).isEmpty();
    assertThat(l.nextUnstableSnapshot()).isSameAs(snap);
    // The snapshot becomes stable once written.
    l.stableSnapTo(10);
    assertThat(l.hasNextOrInProgressSnapshot()).isFalse();
  }

  /** Entries.limitSize keeps the longest prefix within the limit, but always one entry. */
  @ParameterizedTest(name = "limit {0} -> {1} entries")
  @CsvSource({"-1, 5", "0, 1", "3, 1", "4, 1", "7, 1", "8, 2", "19, 4", "20, 5", "100, 5"})
  void limitSize(long max, int want) {
    List<Entry> ents = entries(1, 1, 1, 1, 1, 1);
    assertThat(Entries.limitSize(ents, max)).hasSize(want);
    assertThat(Entries.limitSize(List.of(), max)).isEmpty();
  }

  /** Sizes: the encoded entry for the apply quota and messages; the payload for flow control. */
  @Test
  void entrySizes() {
    List<Entry> ents = List.of(entry(1, 1), entry(2, 1, "hello"));
    assertThat(Entries.size(ents)).isEqualTo(4 + 11);
    assertThat(Entries.payloadSize(ents)).isEqualTo(5);
    assertThat(Entries.payloadSize(List.of(Entry.getDefaultInstance()))).isZero();
  }
}
