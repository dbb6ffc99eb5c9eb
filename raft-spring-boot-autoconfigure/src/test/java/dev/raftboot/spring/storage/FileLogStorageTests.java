package dev.raftboot.spring.storage;

import static dev.raftboot.spring.storage.StorageFixtures.entry;
import static dev.raftboot.spring.storage.StorageFixtures.hardState;
import static dev.raftboot.spring.storage.StorageFixtures.snapshot;
import static dev.raftboot.spring.storage.StorageFixtures.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.Entry;
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

/**
 * {@link FileLogStorage} beyond the {@link RaftStorageContractTests storage contract}: torn tails,
 * damage, other clusters' logs, failing writes, and the space a compacted log takes. Power cuts are
 * in {@link PowerLossFileLogStorageTests}.
 */
class FileLogStorageTests extends RaftStorageContractTests<FileLogStorage> {

  private static final long NODE = 7;

  @TempDir Path dir;

  private final List<FileLogStorage> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(FileLogStorage::close);
  }

  @Override
  protected FileLogStorage open() {
    return open(FileLogStorage.builder(dir, NODE));
  }

  private FileLogStorage open(FileLogStorage.Builder builder) {
    FileLogStorage s = builder.open();
    opened.add(s);
    return s;
  }

  /**
   * Closes {@code storage} and opens the directory again, as a restarted node does. Closing writes
   * nothing, so this is also what a killed process leaves: the contract's crashes are these.
   */
  @Override
  protected FileLogStorage reopen(FileLogStorage storage) {
    storage.close();
    return open();
  }

  /** Segments of a few records, so that random operations roll, compact and drop many of them. */
  private FileLogStorage.Builder smallSegments() {
    return FileLogStorage.builder(dir, NODE).segmentSize(600);
  }

  @Override
  protected FileLogStorage openForRandomOperations() {
    return open(smallSegments());
  }

  @Override
  protected FileLogStorage reopenForRandomOperations(FileLogStorage storage, Random random) {
    storage.close();
    return open(smallSegments());
  }

  private Path segment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> segments =
          files.filter(f -> f.getFileName().toString().endsWith(".raft")).sorted().toList();
      assertThat(segments).as("segment files").hasSize(1);
      return segments.get(0);
    }
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
}
