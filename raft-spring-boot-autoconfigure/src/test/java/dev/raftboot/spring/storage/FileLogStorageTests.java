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
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FileLogStorage}: the storage contract (the behaviour of etcd's MemoryStorage, as {@link
 * JdbcStorage} has it), restarts, torn tails, damage, other clusters' logs, failing writes, and the
 * space a compacted log takes. Power cuts are in {@link PowerLossFileLogStorageTests}.
 */
class FileLogStorageTests {

  private static final long NODE = 7;

  @TempDir Path dir;

  private final List<FileLogStorage> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(FileLogStorage::close);
  }

  private FileLogStorage open() {
    return open(FileLogStorage.builder(dir, NODE));
  }

  private FileLogStorage open(FileLogStorage.Builder builder) {
    FileLogStorage s = builder.open();
    opened.add(s);
    return s;
  }

  /** Closes {@code storage} and opens the directory again, as a restarted node does. */
  private FileLogStorage reopen(FileLogStorage storage) {
    storage.close();
    return open();
  }

  private static void append(FileLogStorage storage, Entry... entries) {
    storage.save(HardState.getDefaultInstance(), List.of(entries), Snapshot.getDefaultInstance());
  }

  /** A log whose compaction point is 3 (term 3), with entries 4 and 5 of terms 4 and 5. */
  private FileLogStorage threeFourFive() {
    FileLogStorage storage = open();
    storage.save(
        HardState.getDefaultInstance(),
        List.of(),
        snapshot(3, 3, voters(1, 2, 3), "state at 3"));
    append(storage, entry(4, 4), entry(5, 5));
    return storage;
  }

  private Path segment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> segments =
          files.filter(f -> f.getFileName().toString().endsWith(".raft")).sorted().toList();
      assertThat(segments).as("segment files").hasSize(1);
      return segments.get(0);
    }
  }

  // --- a new node and reads --------------------------------------------------------------------

  @Test
  void newLogIsEmpty() {
    FileLogStorage storage = open();
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
  void termCoversCompactionPointToLastIndex() {
    FileLogStorage storage = threeFourFive();
    assertThatThrownBy(() -> storage.term(2)).isSameAs(CompactedException.INSTANCE);
    assertThat(storage.term(3)).isEqualTo(3);
    assertThat(storage.term(4)).isEqualTo(4);
    assertThat(storage.term(5)).isEqualTo(5);
    assertThatThrownBy(() -> storage.term(6)).isSameAs(UnavailableException.INSTANCE);
  }

  @Test
  void entriesHonourRangeAndSize() {
    FileLogStorage storage = threeFourFive();
    append(storage, entry(6, 6));
    long size4 = entry(4, 4).getSerializedSize();
    long size5 = entry(5, 5).getSerializedSize();
    long size6 = entry(6, 6).getSerializedSize();
    assertThatThrownBy(() -> storage.entries(3, 4, -1)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.entries(4, 8, -1)).isSameAs(UnavailableException.INSTANCE);
    assertThat(storage.entries(4, 7, -1)).containsExactly(entry(4, 4), entry(5, 5), entry(6, 6));
    assertThat(storage.entries(5, 5, -1)).isEmpty();
    assertThat(storage.entries(4, 7, 0)).containsExactly(entry(4, 4));
    assertThat(storage.entries(4, 7, size4 + size5 + size6 - 1))
        .containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, size4 + size5 + size6))
        .containsExactly(entry(4, 4), entry(5, 5), entry(6, 6));
  }

  @Test
  void absentAndPresentFieldsSurviveARestart() {
    FileLogStorage storage = open();
    Entry bare = entry(1, 1);
    Entry emptyData = Entry.newBuilder().setIndex(2).setTerm(1).setData(ByteString.EMPTY).build();
    Entry confChange =
        Entry.newBuilder()
            .setIndex(3)
            .setTerm(2)
            .setType(EntryType.EntryConfChangeV2)
            .setData(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 255}))
            .build();
    append(storage, bare, emptyData, confChange);
    assertThat(reopen(storage).entries(1, 4, -1)).containsExactly(bare, emptyData, confChange);
  }

  // --- writes ----------------------------------------------------------------------------------

  @Test
  void appendReplacesAConflictingSuffixAlsoAfterARestart() {
    FileLogStorage storage = threeFourFive();
    append(storage, entry(3, 3), entry(4, 6), entry(5, 6));
    append(storage, entry(5, 7));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 7));
    FileLogStorage reopened = reopen(storage);
    assertThat(reopened.entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 7));
    assertThat(reopened.lastIndex()).isEqualTo(5);
  }

  @Test
  void appendSkipsEntriesAtOrBelowTheCompactionPointAndRefusesGaps() {
    FileLogStorage storage = threeFourFive();
    append(storage, entry(2, 3), entry(3, 3), entry(4, 5));
    assertThat(storage.entries(4, 5, -1)).containsExactly(entry(4, 5));
    assertThat(storage.lastIndex()).isEqualTo(4);
    assertThatThrownBy(() -> append(storage, entry(7, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing log entry");
    assertThatThrownBy(() -> append(storage, entry(5, 5), entry(7, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not contiguous");
    assertThat(reopen(storage).lastIndex()).isEqualTo(4);
  }

  @Test
  void compactKeepsTheTermOfTheCompactionPoint() {
    FileLogStorage storage = threeFourFive();
    assertThatThrownBy(() -> storage.compact(3)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.compact(6)).isInstanceOf(IllegalArgumentException.class);
    storage.compact(4);
    assertThat(storage.firstIndex()).isEqualTo(5);
    assertThat(storage.term(4)).isEqualTo(4);
    assertThatThrownBy(() -> storage.entries(4, 6, -1)).isSameAs(CompactedException.INSTANCE);
    FileLogStorage reopened = reopen(storage);
    assertThat(reopened.firstIndex()).isEqualTo(5);
    assertThat(reopened.term(4)).isEqualTo(4);
    assertThat(reopened.entries(5, 6, -1)).containsExactly(entry(5, 5));
  }

  @Test
  void snapshotsAreStoredAndReplaceTheLogWhenSaved() {
    FileLogStorage storage = threeFourFive();
    Snapshot four = storage.createSnapshot(4, voters(1, 2), ByteString.copyFromUtf8("at 4"));
    assertThat(storage.snapshot()).isEqualTo(four);
    assertThat(storage.firstIndex()).as("createSnapshot leaves the log alone").isEqualTo(4);
    assertThatThrownBy(() -> storage.createSnapshot(4, null, null))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    Snapshot twenty = snapshot(20, 8, voters(1, 2, 3), "state at 20");
    storage.save(hardState(9, 2, 21), List.of(entry(21, 9, "a"), entry(22, 9, "b")), twenty);
    assertThatThrownBy(
            () ->
                storage.save(
                    HardState.getDefaultInstance(), List.of(), snapshot(20, 8, voters(1), "old")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    FileLogStorage reopened = reopen(storage);
    assertThat(reopened.initialState())
        .isEqualTo(new InitialState(hardState(9, 2, 21), voters(1, 2, 3)));
    assertThat(reopened.firstIndex()).isEqualTo(21);
    assertThat(reopened.term(20)).isEqualTo(8);
    assertThat(reopened.entries(21, 23, -1)).containsExactly(entry(21, 9, "a"), entry(22, 9, "b"));
    assertThat(reopened.snapshot()).isEqualTo(twenty);
  }

  @Test
  void unsyncedSavesAreVisibleAtOnceAndSurviveAProcessRestart() {
    FileLogStorage storage = open();
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    storage.save(hardState(1, 1, 1), List.of(), Snapshot.getDefaultInstance(), false);
    assertThat(storage.hardState()).isEqualTo(hardState(1, 1, 1));
    // the bytes reached the file, so a process (not a machine) restart keeps them
    assertThat(reopen(storage).hardState()).isEqualTo(hardState(1, 1, 1));
  }

  // --- damage, torn tails, other logs ----------------------------------------------------------

  /**
   * Three synced saves, the last of them two entries, one large: returns the segment's length
   * before each of the last two.
   */
  private long[] threeSaves() throws IOException {
    FileLogStorage storage = open();
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    long second = Files.size(segment());
    storage.save(hardState(1, 1, 1), List.of(entry(2, 1, "b")), Snapshot.getDefaultInstance());
    long third = Files.size(segment());
    storage.save(
        hardState(1, 1, 2),
        List.of(entry(3, 1, "c".repeat(1200)), entry(4, 1, "d")),
        Snapshot.getDefaultInstance());
    storage.close();
    return new long[] {second, third};
  }

  @Test
  void aTornLastWriteIsCutOffAndTheLogGoesOn() throws IOException {
    long before = threeSaves()[1];
    Path segment = segment();
    long full = Files.size(segment);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(before + (full - before) / 2);
    }
    FileLogStorage storage = open();
    assertThat(storage.lastIndex()).isEqualTo(2);
    assertThat(storage.hardState()).isEqualTo(hardState(1, 1, 1));
    assertThat(Files.size(segment)).as("the torn bytes are cut off").isEqualTo(before);
    append(storage, entry(3, 2, "new"));
    assertThat(reopen(storage).entries(1, 4, -1))
        .containsExactly(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 2, "new"));
  }

  @Test
  void aLastWriteWithAZeroedSectorIsTorn() throws IOException {
    long before = threeSaves()[1];
    Path segment = segment();
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      long sector = (before / 512 + 1) * 512;
      assertThat(sector + 512).isLessThan(f.length());
      f.seek(sector);
      f.write(new byte[512]);
    }
    FileLogStorage storage = open();
    assertThat(storage.lastIndex()).isEqualTo(2);
    assertThat(Files.size(segment)).isEqualTo(before);
  }

  @Test
  void aChangedByteInTheLastWriteIsDamageNotATear() throws IOException {
    long before = threeSaves()[1];
    Path segment = segment();
    flip(segment, before + 20);
    assertThatThrownBy(this::open)
        .isInstanceOfSatisfying(
            LogFileCorruptionException.class,
            e -> {
              assertThat(e.getOffset()).isEqualTo(before);
              assertThat(e.getFile()).isEqualTo(segment);
              assertThat(e.getMessage()).contains("a whole record does not match its checksum");
            });
  }

  @Test
  void aTornRecordBeforeASyncedOneIsDamage() throws IOException {
    long second = threeSaves()[0];
    Path segment = segment();
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(second);
      f.write(new byte[12]);
    }
    assertThatThrownBy(this::open)
        .isInstanceOfSatisfying(
            LogFileCorruptionException.class,
            e -> {
              assertThat(e.getOffset()).isEqualTo(second);
              assertThat(e.getMessage()).contains("a synced record follows it");
            });
  }

  @Test
  void aTornRecordFollowedOnlyByUnsyncedOnesIsCutOffWithThem() throws IOException {
    FileLogStorage storage = open();
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    long synced = Files.size(segment());
    storage.save(hardState(1, 1, 1), List.of(), Snapshot.getDefaultInstance(), false);
    storage.save(hardState(1, 1, 1), List.of(), Snapshot.getDefaultInstance(), false);
    storage.close();
    try (RandomAccessFile f = new RandomAccessFile(segment().toFile(), "rw")) {
      f.seek(synced);
      f.write(new byte[6]);
    }
    FileLogStorage reopened = open();
    assertThat(reopened.hardState()).isEqualTo(hardState(1, 1, 0));
    assertThat(reopened.lastIndex()).isEqualTo(1);
    assertThat(Files.size(segment())).isEqualTo(synced);
  }

  @Test
  void theFirstRecordMustBeAValidCheckpoint() throws IOException {
    threeSaves();
    flip(segment(), 12);
    assertThatThrownBy(this::open)
        .isInstanceOf(LogFileCorruptionException.class)
        .hasMessageContaining("not a valid checkpoint");
  }

  @Test
  void aDamagedSnapshotIsRefused() throws IOException {
    FileLogStorage storage = threeFourFive();
    storage.close();
    Path file = dir.resolve(String.format("snapshot-%016x.snap", 3));
    flip(file, 12);
    assertThatThrownBy(this::open)
        .isInstanceOf(LogFileCorruptionException.class)
        .hasMessageContaining(file.toString());
    Files.delete(file);
    assertThatThrownBy(this::open)
        .isInstanceOf(LogFileCorruptionException.class)
        .hasMessageContaining("gone");
  }

  private static void flip(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }

  @Test
  void theLogOfAnotherNodeOrClusterIsRefusedAndKept() throws IOException {
    threeSaves();
    long size = Files.size(segment());
    assertThatThrownBy(() -> open(FileLogStorage.builder(dir, NODE + 1)))
        .isInstanceOf(ClusterLogMismatchException.class)
        .hasMessageContaining("belongs to node " + NODE);
    assertThatThrownBy(() -> open(FileLogStorage.builder(dir, NODE).clusterId("other")))
        .isInstanceOf(ClusterLogMismatchException.class)
        .hasMessageContaining("cluster \"raft\"");
    assertThat(Files.size(segment())).isEqualTo(size);
    assertThat(open().lastIndex()).isEqualTo(4);
  }

  @Test
  void aDirectoryInUseIsRefused() {
    open();
    assertThatThrownBy(this::open)
        .isInstanceOf(LogFileException.class)
        .hasMessageContaining("in use");
  }

  // --- failing writes --------------------------------------------------------------------------

  @Test
  void aFailedWriteChangesNothingAndTheNextOneIsNotAppendedAfterItsRemains() {
    LossyFileChannels disk = new LossyFileChannels();
    FileLogStorage storage = open(FileLogStorage.builder(dir, NODE).channels(disk));
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    disk.failWrites(1);
    assertThatThrownBy(
            () ->
                storage.save(
                    hardState(2, 2, 1), List.of(entry(2, 2, "lost")), Snapshot.getDefaultInstance()))
        .isInstanceOf(LogFileException.class)
        .hasMessageContaining("injected write failure");
    assertThat(storage.lastIndex()).isEqualTo(1);
    assertThat(storage.hardState()).isEqualTo(hardState(1, 1, 0));
    disk.failForces(1);
    assertThatThrownBy(
            () ->
                storage.save(
                    hardState(2, 2, 1), List.of(entry(2, 2, "lost")), Snapshot.getDefaultInstance()))
        .isInstanceOf(LogFileException.class)
        .hasMessageContaining("injected force failure");
    assertThat(storage.lastIndex()).isEqualTo(1);
    storage.save(hardState(3, 3, 1), List.of(entry(2, 3, "kept")), Snapshot.getDefaultInstance());
    FileLogStorage reopened = reopen(storage);
    assertThat(reopened.entries(1, 3, -1)).containsExactly(entry(1, 1, "a"), entry(2, 3, "kept"));
    assertThat(reopened.hardState()).isEqualTo(hardState(3, 3, 1));
  }

  /**
   * What a failed write left must not stay behind the next record: here it holds an entry whose
   * data are whole, valid records, which a reader that finds them after a gap takes as proof of
   * damage. The storage cuts the remains off before it writes again.
   */
  @Test
  void theRemainsOfAFailedWriteAreCutOffBeforeTheNextWrite() {
    LossyFileChannels disk = new LossyFileChannels();
    FileLogStorage storage = open(FileLogStorage.builder(dir, NODE).channels(disk));
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    ByteString fake =
        ByteString.copyFrom(
            new LogFileRecords.Batch()
                .save(true, null, List.of(entry(1, 1, "fake")), hardState(9, 9, 9))
                .buffer());
    ByteString data = ByteString.EMPTY;
    for (int i = 0; i < 20; i++) {
      data = data.concat(fake);
    }
    disk.failWrites(1);
    Entry big = Entry.newBuilder().setIndex(2).setTerm(1).setData(data).build();
    assertThatThrownBy(
            () -> storage.save(hardState(1, 1, 0), List.of(big), Snapshot.getDefaultInstance()))
        .isInstanceOf(LogFileException.class);
    storage.save(hardState(1, 1, 0), List.of(entry(2, 1, "b")), Snapshot.getDefaultInstance());
    FileLogStorage reopened = reopen(storage);
    assertThat(reopened.entries(1, 3, -1)).containsExactly(entry(1, 1, "a"), entry(2, 1, "b"));
    assertThat(reopened.hardState()).isEqualTo(hardState(1, 1, 0));
  }

  // --- segments and space ----------------------------------------------------------------------

  @Test
  void compactionKeepsTheDirectoryBounded() throws IOException {
    long segmentSize = 16 * 1024;
    FileLogStorage storage = open(FileLogStorage.builder(dir, NODE).segmentSize(segmentSize));
    long largest = 0;
    String payload = "x".repeat(100);
    for (long i = 1; i <= 3000; i++) {
      storage.save(hardState(1, 1, i - 1), List.of(entry(i, 1, payload)), Snapshot.getDefaultInstance());
      if (i % 100 == 0) {
        storage.createSnapshot(i - 10, voters(1), ByteString.copyFromUtf8("at " + (i - 10)));
        storage.compact(i - 50);
      }
      largest = Math.max(largest, directorySize());
    }
    // one segment (up to its size, plus one write) beside a checkpoint of at most ~150 entries
    assertThat(largest).isLessThan(segmentSize + 40 * 1024);
    long written = 3000L * (payload.length() + 20);
    assertThat(written).as("the test wrote far more than it keeps").isGreaterThan(10 * largest);
    FileLogStorage reopened = reopen(storage);
    assertThat(reopened.firstIndex()).isEqualTo(2951);
    assertThat(reopened.lastIndex()).isEqualTo(3000);
    assertThat(reopened.entries(2951, 3001, -1)).hasSize(50);
    assertThat(reopened.snapshot().getMetadata().getIndex()).isEqualTo(2990);
    assertThat(reopened.hardState()).isEqualTo(hardState(1, 1, 2999));
  }

  private long directorySize() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path f : files.toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }

  // --- random operations against the model -----------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomOperationsMatchTheModel(long seed) {
    Random random = new Random(seed);
    LogModel model = new LogModel();
    FileLogStorage.Builder builder = FileLogStorage.builder(dir, NODE).segmentSize(600);
    FileLogStorage storage = open(builder);
    int changes = 0;
    for (int step = 0; step < 300; step++) {
      long before = model.lastIndex() * 31 + model.firstIndex() * 17;
      int op = random.nextInt(100);
      FileLogStorage s = storage;
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
        what = "save " + entries.size() + " entries, snapshot " + snap.getMetadata().getIndex();
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
      } else if (op < 80) {
        what = "restart";
        storage.close();
        storage = open(builder);
      } else {
        what = "read";
      }
      compare(what + " (step " + step + ", seed " + seed + ")", random, model, storage);
      changes += before != model.lastIndex() * 31 + model.firstIndex() * 17 ? 1 : 0;
    }
    storage.close();
    compare("final restart", random, model, open(builder));
    assertThat(changes).as("operations that changed the log").isGreaterThan(60);
  }
}
