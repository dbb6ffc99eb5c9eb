package dev.raftboot.spring.storage;

import static dev.raftboot.spring.storage.StorageFixtures.compare;
import static dev.raftboot.spring.storage.StorageFixtures.entry;
import static dev.raftboot.spring.storage.StorageFixtures.hardState;
import static dev.raftboot.spring.storage.StorageFixtures.outcome;
import static dev.raftboot.spring.storage.StorageFixtures.randomEntries;
import static dev.raftboot.spring.storage.StorageFixtures.randomSnapshot;
import static dev.raftboot.spring.storage.StorageFixtures.run;
import static dev.raftboot.spring.storage.StorageFixtures.same;
import static dev.raftboot.spring.storage.StorageFixtures.snapshot;
import static dev.raftboot.spring.storage.StorageFixtures.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.CompactedException;
import dev.raftboot.InitialState;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.UnavailableException;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link RaftStorage} must do, whatever keeps the log: the semantics of etcd's
 * MemoryStorage, saves that are whole or not at all, restarts that see exactly what was saved,
 * reads during writes, and agreement with {@link LogModel} over random operation sequences.
 * Subclasses open the storage and say what a restart and a crash are for it; what only one kind of
 * storage has (files, rows, caches) stays in the subclass.
 */
abstract class RaftStorageContractTests<S extends RaftStorage> {

  /** Opens this test's node's log, empty when the test starts. */
  protected abstract S open();

  /**
   * Gives {@code storage} up, as a process that stops does (closing it where it can be closed),
   * and opens the node's log again.
   */
  protected abstract S reopen(S storage);

  /**
   * Gives {@code storage} up as a process that is killed does, losing whatever the storage may lose
   * then, and opens the node's log again; by default as {@link #reopen}.
   */
  protected S reopenAfterACrash(S storage) {
    return reopen(storage);
  }

  /** Installs a snapshot from the leader; by default the save of it alone that a Ready asks for. */
  protected void installSnapshot(S storage, Snapshot snapshot) {
    storage.save(HardState.getDefaultInstance(), List.of(), snapshot);
  }

  /** The storage {@link #randomOperationsMatchTheModel} starts with; by default {@link #open()}. */
  protected S openForRandomOperations() {
    return open();
  }

  /**
   * A restart in {@link #randomOperationsMatchTheModel}, which may draw the settings of the
   * reopened storage from {@code random}; by default {@link #reopen}.
   */
  protected S reopenForRandomOperations(S storage, Random random) {
    return reopen(storage);
  }

  protected static void append(RaftStorage storage, Entry... entries) {
    storage.save(HardState.getDefaultInstance(), List.of(entries), Snapshot.getDefaultInstance());
  }

  /** The log of etcd's storage tests: compaction point 3 (term 3), entries 4 and 5 (terms 4, 5). */
  protected S threeFourFive() {
    S storage = open();
    installSnapshot(storage, snapshot(3, 3, voters(1, 2, 3), "state at 3"));
    append(storage, entry(4, 4), entry(5, 5));
    return storage;
  }

  /**
   * Asserts all that {@code storage} holds: hard state and configuration, the compaction point and
   * its term, exactly {@code entries} above it, and the snapshot.
   */
  private static void assertHolds(
      RaftStorage storage,
      InitialState initialState,
      long compactionPoint,
      long compactionTerm,
      List<Entry> entries,
      Snapshot snapshot) {
    long last = compactionPoint + entries.size();
    assertThat(storage.initialState()).isEqualTo(initialState);
    assertThat(storage.firstIndex()).isEqualTo(compactionPoint + 1);
    assertThat(storage.lastIndex()).isEqualTo(last);
    assertThat(storage.term(compactionPoint)).isEqualTo(compactionTerm);
    assertThat(storage.entries(compactionPoint + 1, last + 1, -1)).isEqualTo(entries);
    assertThat(storage.snapshot()).isEqualTo(snapshot);
  }

  // --- a new node ------------------------------------------------------------------------------

  @Test
  void newLogIsEmpty() {
    S storage = open();
    assertThat(storage.firstIndex()).isEqualTo(1);
    assertThat(storage.lastIndex()).isZero();
    assertThat(storage.term(0)).isZero();
    assertThat(storage.initialState())
        .isEqualTo(
            new InitialState(HardState.getDefaultInstance(), ConfState.getDefaultInstance()));
    assertThat(storage.snapshot()).isEqualTo(Snapshot.getDefaultInstance());
    assertThatThrownBy(() -> storage.entries(1, 1, -1)).isSameAs(UnavailableException.INSTANCE);
    assertThatThrownBy(() -> storage.term(1)).isSameAs(UnavailableException.INSTANCE);
    assertThat(reopen(storage).lastIndex()).isZero();
  }

  @Test
  void firstAppendStartsAtIndexOne() {
    S storage = open();
    append(storage, entry(1, 1), entry(2, 1));
    assertThat(storage.firstIndex()).isEqualTo(1);
    assertThat(storage.lastIndex()).isEqualTo(2);
    assertThat(storage.entries(1, 3, -1)).containsExactly(entry(1, 1), entry(2, 1));
    assertThat(reopen(storage).entries(1, 3, -1)).containsExactly(entry(1, 1), entry(2, 1));
  }

  // --- reads -----------------------------------------------------------------------------------

  @Test
  void termCoversCompactionPointToLastIndex() {
    S storage = threeFourFive();
    assertThatThrownBy(() -> storage.term(2)).isSameAs(CompactedException.INSTANCE);
    assertThat(storage.term(3)).isEqualTo(3);
    assertThat(storage.term(4)).isEqualTo(4);
    assertThat(storage.term(5)).isEqualTo(5);
    assertThatThrownBy(() -> storage.term(6)).isSameAs(UnavailableException.INSTANCE);
  }

  @Test
  void entriesHonourRangeAndSize() {
    S storage = threeFourFive();
    append(storage, entry(6, 6));
    long size4 = entry(4, 4).getSerializedSize();
    long size5 = entry(5, 5).getSerializedSize();
    long size6 = entry(6, 6).getSerializedSize();
    assertThatThrownBy(() -> storage.entries(2, 6, -1)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.entries(3, 4, -1)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.entries(4, 8, -1)).isSameAs(UnavailableException.INSTANCE);
    assertThat(storage.entries(4, 5, -1)).containsExactly(entry(4, 4));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, -1)).containsExactly(entry(4, 4), entry(5, 5), entry(6, 6));
    assertThat(storage.entries(5, 5, -1)).isEmpty();
    // at least one entry, whatever the limit
    assertThat(storage.entries(4, 7, 0)).containsExactly(entry(4, 4));
    assertThat(storage.entries(4, 7, size4 + size5)).containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, size4 + size5 + size6 / 2))
        .containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, size4 + size5 + size6 - 1))
        .containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, size4 + size5 + size6))
        .containsExactly(entry(4, 4), entry(5, 5), entry(6, 6));
  }

  @Test
  void absentAndPresentFieldsSurviveARestart() {
    S storage = open();
    Entry bare = entry(1, 1);
    Entry emptyData = Entry.newBuilder().setIndex(2).setTerm(1).setData(ByteString.EMPTY).build();
    Entry confChange =
        Entry.newBuilder()
            .setIndex(3)
            .setTerm(2)
            .setType(EntryType.EntryConfChangeV2)
            .setData(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 255}))
            .build();
    Entry normalType =
        Entry.newBuilder().setIndex(4).setTerm(2).setType(EntryType.EntryNormal).build();
    append(storage, bare, emptyData, confChange, normalType);
    assertThat(storage.entries(1, 5, -1)).containsExactly(bare, emptyData, confChange, normalType);
    assertThat(reopen(storage).entries(1, 5, -1))
        .containsExactly(bare, emptyData, confChange, normalType);
  }

  // --- append ----------------------------------------------------------------------------------

  @Test
  void appendOfTheSameEntriesChangesNothing() {
    S storage = threeFourFive();
    append(storage, entry(3, 3), entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.firstIndex()).isEqualTo(4);
  }

  @Test
  void appendReplacesAConflictingSuffixAlsoAfterARestart() {
    S storage = threeFourFive();
    append(storage, entry(3, 3), entry(4, 6), entry(5, 6));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 6));
    append(storage, entry(5, 7));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 7));
    S reopened = reopen(storage);
    assertThat(reopened.entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 7));
    assertThat(reopened.lastIndex()).isEqualTo(5);
  }

  @Test
  void appendExtendsTheLog() {
    S storage = threeFourFive();
    append(storage, entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 5));
    assertThat(storage.entries(4, 7, -1)).containsExactly(entry(4, 4), entry(5, 5), entry(6, 5));
    append(storage, entry(7, 5));
    assertThat(storage.lastIndex()).isEqualTo(7);
  }

  @Test
  void appendSkipsEntriesAtOrBelowTheCompactionPoint() {
    S storage = threeFourFive();
    append(storage, entry(2, 3), entry(3, 3), entry(4, 5));
    assertThat(storage.entries(4, 5, -1)).containsExactly(entry(4, 5));
    assertThat(storage.lastIndex()).isEqualTo(4);
    append(storage, entry(1, 1), entry(2, 2));
    assertThat(storage.lastIndex()).isEqualTo(4);
    assertThat(reopen(storage).lastIndex()).isEqualTo(4);
  }

  @Test
  void appendThatWouldLeaveAGapFails() {
    S storage = threeFourFive();
    assertThatThrownBy(() -> append(storage, entry(7, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing log entry");
    assertThatThrownBy(() -> append(storage, entry(6, 5), entry(8, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not contiguous");
    assertThat(storage.lastIndex()).isEqualTo(5);
    append(storage, entry(4, 5)); // a replaced suffix shortened the log: 5 is missing now
    assertThatThrownBy(() -> append(storage, entry(6, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing log entry");
    assertThat(reopen(storage).lastIndex()).isEqualTo(4);
  }

  // --- compaction ------------------------------------------------------------------------------

  @Test
  void compactKeepsTheTermOfTheCompactionPoint() {
    S storage = threeFourFive();
    assertThatThrownBy(() -> storage.compact(2)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.compact(3)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.compact(6)).isInstanceOf(IllegalArgumentException.class);
    storage.compact(4);
    assertThat(storage.firstIndex()).isEqualTo(5);
    assertThat(storage.term(4)).isEqualTo(4);
    assertThatThrownBy(() -> storage.term(3)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.entries(4, 6, -1)).isSameAs(CompactedException.INSTANCE);
    assertThat(storage.entries(5, 6, -1)).containsExactly(entry(5, 5));
    S reopened = reopen(storage);
    assertThat(reopened.firstIndex()).isEqualTo(5);
    assertThat(reopened.term(4)).isEqualTo(4);
    assertThat(reopened.entries(5, 6, -1)).containsExactly(entry(5, 5));
    // compacted through the last index: an empty log that still knows the term to match
    reopened.compact(5);
    assertThat(reopened.firstIndex()).isEqualTo(6);
    assertThat(reopened.lastIndex()).isEqualTo(5);
    assertThatThrownBy(() -> reopened.entries(6, 6, -1)).isSameAs(UnavailableException.INSTANCE);
    S again = reopen(reopened);
    assertThat(again.term(5)).isEqualTo(5);
    append(again, entry(6, 6));
    assertThat(reopen(again).entries(6, 7, -1)).containsExactly(entry(6, 6));
  }

  // --- snapshots -------------------------------------------------------------------------------

  @Test
  void createSnapshotStoresMetadataAndData() {
    S storage = threeFourFive();
    ConfState cs = voters(1, 2, 3);
    ByteString data = ByteString.copyFromUtf8("state at 4");
    Snapshot four = storage.createSnapshot(4, cs, data);
    assertThat(four).isEqualTo(snapshot(4, 4, cs, "state at 4"));
    assertThat(storage.snapshot()).isEqualTo(four);
    assertThat(storage.initialState().confState()).isEqualTo(cs);
    assertThatThrownBy(() -> storage.createSnapshot(4, cs, data))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(() -> storage.createSnapshot(4, null, null))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(() -> storage.createSnapshot(3, cs, data))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(() -> storage.createSnapshot(6, cs, data))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(storage.firstIndex()).as("createSnapshot leaves the log alone").isEqualTo(4);
    Snapshot five = storage.createSnapshot(5, null, ByteString.copyFromUtf8("state at 5"));
    assertThat(five.getMetadata().getConfState()).isEqualTo(cs);
    assertThat(five.getMetadata().getTerm()).isEqualTo(5);
    assertThat(reopen(storage).snapshot()).isEqualTo(five);
  }

  @Test
  void installedSnapshotReplacesTheLog() {
    S storage = threeFourFive();
    storage.save(hardState(5, 1, 5), List.of(), Snapshot.getDefaultInstance());
    Snapshot snap = snapshot(10, 7, voters(1, 2), "state at 10");
    installSnapshot(storage, snap);
    assertThat(storage.firstIndex()).isEqualTo(11);
    assertThat(storage.lastIndex()).isEqualTo(10);
    assertThat(storage.term(10)).isEqualTo(7);
    assertThatThrownBy(() -> storage.term(5)).isSameAs(CompactedException.INSTANCE);
    assertThat(storage.snapshot()).isEqualTo(snap);
    assertThat(storage.initialState())
        .isEqualTo(new InitialState(hardState(5, 1, 5), voters(1, 2)));
    assertThatThrownBy(() -> installSnapshot(storage, snapshot(10, 7, voters(1), "again")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(() -> installSnapshot(storage, snapshot(9, 7, voters(1), "older")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    append(storage, entry(11, 7));
    assertHolds(
        reopen(storage),
        new InitialState(hardState(5, 1, 5), voters(1, 2)),
        10,
        7,
        List.of(entry(11, 7)),
        snap);
  }

  @Test
  void snapshotWithoutDataOrConfStateRoundTrips() {
    S storage = open();
    Snapshot bare =
        Snapshot.newBuilder()
            .setMetadata(SnapshotMetadata.newBuilder().setIndex(5).setTerm(2))
            .build();
    installSnapshot(storage, bare);
    assertThat(storage.snapshot()).isEqualTo(bare);
    S reopened = reopen(storage);
    assertThat(reopened.snapshot()).isEqualTo(bare);
    assertThat(reopened.initialState().confState()).isEqualTo(ConfState.getDefaultInstance());
  }

  // --- save ------------------------------------------------------------------------------------

  /** The snapshot saved replaces the log, and the snapshot createSnapshot stored before it. */
  @Test
  void saveWritesSnapshotEntriesAndHardStateTogether() {
    S storage = threeFourFive();
    storage.createSnapshot(4, voters(1, 2), ByteString.copyFromUtf8("at 4"));
    Snapshot twenty = snapshot(20, 8, voters(1, 2, 3), "state at 20");
    storage.save(hardState(9, 2, 21), List.of(entry(21, 9, "a"), entry(22, 9, "b")), twenty);
    assertThatThrownBy(
            () ->
                storage.save(
                    HardState.getDefaultInstance(), List.of(), snapshot(20, 8, voters(1), "old")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertHolds(
        reopen(storage),
        new InitialState(hardState(9, 2, 21), voters(1, 2, 3)),
        20,
        8,
        List.of(entry(21, 9, "a"), entry(22, 9, "b")),
        twenty);
  }

  @Test
  void rejectedSaveChangesNothing() {
    S storage = threeFourFive();
    storage.save(hardState(5, 1, 4), List.of(), Snapshot.getDefaultInstance());
    assertThatThrownBy(
            () ->
                storage.save(
                    hardState(6, 2, 5), List.of(entry(6, 6)), snapshot(2, 2, voters(1), "old")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(
            () ->
                storage.save(
                    hardState(6, 2, 5), List.of(entry(9, 6)), Snapshot.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(storage.initialState().hardState()).isEqualTo(hardState(5, 1, 4));
    assertThat(storage.lastIndex()).isEqualTo(5);
    S reopened = reopen(storage);
    assertThat(reopened.initialState().hardState()).isEqualTo(hardState(5, 1, 4));
    assertThat(reopened.lastIndex()).isEqualTo(5);
  }

  @Test
  void emptySaveIsANoOpAndHardStateAloneIsSaved() {
    S storage = threeFourFive();
    storage.save(HardState.getDefaultInstance(), List.of(), Snapshot.getDefaultInstance());
    storage.save(hardState(7, 3, 5), List.of(), Snapshot.getDefaultInstance());
    storage.save(hardState(8, 0, 5), List.of(), Snapshot.getDefaultInstance());
    assertHolds(
        reopen(storage),
        new InitialState(hardState(8, 0, 5), voters(1, 2, 3)),
        3,
        3,
        List.of(entry(4, 4), entry(5, 5)),
        snapshot(3, 3, voters(1, 2, 3), "state at 3"));
  }

  // --- durability and restarts -----------------------------------------------------------------

  @Test
  void restartAfterACrashSeesEverythingSaved() {
    S storage = threeFourFive();
    storage.save(
        hardState(6, 2, 5),
        List.of(entry(6, 6, "x"), entry(7, 6, "y")),
        Snapshot.getDefaultInstance());
    Snapshot snap = storage.createSnapshot(6, voters(1, 2, 3), ByteString.copyFromUtf8("six"));
    storage.compact(5);
    assertHolds(
        reopenAfterACrash(storage),
        new InitialState(hardState(6, 2, 5), voters(1, 2, 3)),
        5,
        5,
        List.of(entry(6, 6, "x"), entry(7, 6, "y")),
        snap);
  }

  // --- unsynced saves (a Ready whose MustSync is false) ----------------------------------------

  /** Entries 1 and 2 saved, then their commit saved without a sync, as a follower's Readys ask. */
  private S twoEntriesCommittedUnsynced() {
    S storage = open();
    storage.save(
        hardState(1, 1, 0),
        List.of(entry(1, 1, "a"), entry(2, 1, "b")),
        Snapshot.getDefaultInstance());
    storage.save(hardState(1, 1, 2), List.of(), Snapshot.getDefaultInstance(), false);
    return storage;
  }

  @Test
  void unsyncedSavesAreVisibleAtOnceAndSurviveAProcessRestart() {
    S storage = twoEntriesCommittedUnsynced();
    assertThat(storage.initialState().hardState()).isEqualTo(hardState(1, 1, 2));
    // written, only not forced: a process (not a machine) restart keeps it
    assertThat(reopen(storage).initialState().hardState()).isEqualTo(hardState(1, 1, 2));
  }

  @Test
  void nextSyncedSaveCoversAnEarlierUnsyncedOne() {
    S storage = twoEntriesCommittedUnsynced();
    storage.save(
        hardState(1, 1, 2), List.of(entry(3, 1, "c")), Snapshot.getDefaultInstance(), true);
    S reopened = reopenAfterACrash(storage);
    assertThat(reopened.initialState().hardState()).isEqualTo(hardState(1, 1, 2));
    assertThat(reopened.entries(1, 4, -1))
        .containsExactly(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 1, "c"));
  }

  @Test
  void crashAfterUnsyncedSaveLeavesTheOldOrTheNewStateWhole() {
    S storage = open();
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    storage.save(
        hardState(2, 2, 1), List.of(entry(2, 2, "b")), Snapshot.getDefaultInstance(), false);
    S reopened = reopenAfterACrash(storage);
    if (reopened.lastIndex() == 2) {
      assertThat(reopened.initialState().hardState()).isEqualTo(hardState(2, 2, 1));
      assertThat(reopened.entries(1, 3, -1)).containsExactly(entry(1, 1, "a"), entry(2, 2, "b"));
    } else {
      assertThat(reopened.lastIndex()).isEqualTo(1);
      assertThat(reopened.initialState().hardState()).isEqualTo(hardState(1, 1, 0));
      assertThat(reopened.entries(1, 2, -1)).containsExactly(entry(1, 1, "a"));
    }
  }

  // --- reads during writes ---------------------------------------------------------------------

  @Test
  void readersRunConcurrentlyWithTheWriter() throws Exception {
    S storage = open();
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Thread reader =
          new Thread(
              () -> {
                Random random = new Random();
                try {
                  while (!done.get()) {
                    long first = storage.firstIndex();
                    long last = storage.lastIndex();
                    if (last < first) {
                      continue;
                    }
                    long lo = first + random.nextInt((int) (last - first + 1));
                    try {
                      List<Entry> got = storage.entries(lo, last + 1, -1);
                      for (Entry e : got) {
                        // the writer's terms are a function of the index
                        assertThat(e.getTerm()).isEqualTo(1 + e.getIndex() / 7);
                      }
                      assertThat(storage.term(lo)).isEqualTo(1 + lo / 7);
                    } catch (CompactedException e) {
                      // compacted between our two reads: fine
                    }
                  }
                } catch (Throwable t) {
                  failures.add(t);
                }
              });
      reader.start();
      readers.add(reader);
    }
    try {
      for (long i = 1; i <= 120; i += 3) {
        append(
            storage,
            entry(i, 1 + i / 7),
            entry(i + 1, 1 + (i + 1) / 7),
            entry(i + 2, 1 + (i + 2) / 7));
        if (i % 30 == 1 && i > 30) {
          storage.compact(i - 20);
        }
      }
    } finally {
      done.set(true);
      for (Thread reader : readers) {
        reader.join(10_000);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(storage.lastIndex()).isEqualTo(120);
  }

  // --- random operations against the model -----------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomOperationsMatchTheModel(long seed) {
    Random random = new Random(seed);
    LogModel model = new LogModel();
    S storage = openForRandomOperations();
    int changes = 0;
    long longest = 0;
    for (int step = 0; step < 300; step++) {
      long before = model.lastIndex() * 31 + model.firstIndex() * 17;
      int op = random.nextInt(100);
      S s = storage;
      String what;
      if (op < 50) {
        HardState hs =
            random.nextInt(3) == 0
                ? HardState.getDefaultInstance()
                : hardState(random.nextInt(9), random.nextInt(4), random.nextInt(40));
        List<Entry> entries = randomEntries(random, model);
        Snapshot snap =
            random.nextInt(12) == 0 ? randomSnapshot(random, model) : Snapshot.getDefaultInstance();
        boolean sync = random.nextBoolean();
        what = "save " + describe(entries) + " snapshot " + snap.getMetadata().getIndex();
        same(
            what,
            () -> run(() -> model.save(hs, entries, snap)),
            () -> run(() -> s.save(hs, entries, snap, sync)));
      } else if (op < 60) {
        long at =
            model.firstIndex()
                - 2
                + random.nextInt((int) (model.lastIndex() - model.firstIndex() + 4));
        what = "compact " + at;
        same(what, () -> run(() -> model.compact(at)), () -> run(() -> s.compact(at)));
      } else if (op < 68) {
        long at =
            model.snapshot().getMetadata().getIndex()
                - 1
                + random.nextInt(
                    // a suffix replaced below the snapshot can leave the log shorter than it
                    (int) Math.max(1, model.lastIndex() - model.snapshot().getMetadata().getIndex() + 3));
        ConfState cs = random.nextBoolean() ? voters(1 + random.nextInt(3)) : null;
        ByteString data = random.nextBoolean() ? ByteString.copyFromUtf8("snap " + step) : null;
        what = "createSnapshot " + at;
        same(
            what,
            () -> outcome(() -> model.createSnapshot(at, cs, data)),
            () -> outcome(() -> s.createSnapshot(at, cs, data)));
      } else if (op < 73) {
        Snapshot snap = randomSnapshot(random, model);
        what = "installSnapshot " + snap.getMetadata().getIndex();
        same(
            what,
            () -> run(() -> model.applySnapshot(snap)),
            () -> run(() -> installSnapshot(s, snap)));
      } else if (op < 80) {
        what = "restart";
        storage = reopenForRandomOperations(storage, random);
      } else {
        what = "read";
      }
      compare(what + " (step " + step + ", seed " + seed + ")", random, model, storage);
      changes += before != model.lastIndex() * 31 + model.firstIndex() * 17 ? 1 : 0;
      longest = Math.max(longest, model.lastIndex() - model.firstIndex() + 1);
    }
    compare("final restart", random, model, reopenForRandomOperations(storage, random));
    // the sequence must have done real work, not just provoked errors
    assertThat(changes).as("operations that changed the log").isGreaterThan(60);
    // long enough that reads reach past a small cache of the newest entries
    assertThat(longest).as("longest log").isGreaterThan(6);
  }

  private static String describe(List<Entry> entries) {
    return entries.isEmpty()
        ? "[]"
        : "[" + entries.get(0).getIndex() + ".." + entries.get(entries.size() - 1).getIndex() + "]";
  }
}
