package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import dev.raftboot.CompactedException;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A raft log kept in files of its own directory, in the manner of etcd's write-ahead log: the
 * live log (the entries after the compaction point) and the hard state are held in memory, and
 * every {@link #save} appends its changes as one checksummed record to the current segment file,
 * forced to disk before a synced save returns. Reads never touch the disk, except {@link
 * #snapshot()}, which reads the snapshot file.
 *
 * <h2>Files</h2>
 *
 * <ul>
 *   <li>{@code log-<sequence>.raft}: the segment. Its first record is a checkpoint of the whole
 *       state at the time it was started (compaction point, hard state, live entries); the
 *       records after it are the saves, snapshots and compactions since. Once a segment exceeds
 *       the segment size, the next write starts a new one with a fresh checkpoint and deletes the
 *       old one, so the directory holds about one segment size plus the live log.
 *   <li>{@code snapshot-<index>.snap}: the current snapshot, written whole (temporary file,
 *       force, rename, directory force) before the log names it; older ones are then removed.
 *   <li>{@code raft.lock}: held while the storage is open, so that a second storage (in this
 *       process or another) cannot write the same log.
 * </ul>
 *
 * <h2>Durability and recovery</h2>
 *
 * <p>A synced save is on disk when it returns; an unsynced one (only the commit index changed) is
 * written but not forced, so a power cut may take it, and nothing else with it. When opened, the
 * storage replays the newest segment. An invalid record followed by nothing but unsynced ones,
 * that is cut short or has a sector that reads as zeros, is the torn end of writes that were never
 * forced, and is cut off with what follows it. Any other invalid record (one followed by a synced
 * record, which forced it to disk first, or a whole one that fails its checksum) is damage: the
 * storage refuses to open with a {@link LogFileCorruptionException} rather than lose acknowledged
 * entries. A log written by another cluster or node id is refused with a {@link
 * ClusterLogMismatchException}.
 *
 * <p>A write that fails (an {@link IOException}, the disk full) throws {@link LogFileException} and
 * changes nothing the storage reports; the next write first cuts the segment back to the end of
 * the last complete write, so no record follows a partial one.
 *
 * <h2>Threading</h2>
 *
 * <p>One writer thread calls the write methods (they are serialized with a mutex, so a second one
 * waits); any number of threads may read meanwhile. Readers see a write's effect only once it is
 * complete.
 */
public final class FileLogStorage extends AbstractRaftStorage implements AutoCloseable {

  /** Size beyond which the next write starts a new segment, unless configured otherwise. */
  public static final long DEFAULT_SEGMENT_SIZE = 32L * 1024 * 1024;

  /** Largest segment size: a segment is read whole when the storage opens. */
  public static final long MAX_SEGMENT_SIZE = 1L << 30;

  private static final System.Logger LOG = System.getLogger(FileLogStorage.class.getName());
  private static final String LOCK_FILE = "raft.lock";
  private static final Pattern SEGMENT = Pattern.compile("log-([0-9a-f]{16})\\.raft");

  private final Path dir;
  private final String clusterId;
  private final long nodeId;
  private final long segmentSize;
  private final LogFileChannels channels;
  private final LogFileSnapshot snapshotFiles;
  private final FileChannel lockChannel;
  private final FileLock lock;

  /**
   * The entries after the compaction point; {@code live.get(i)} has index {@code dummyIndex + 1 +
   * i}. Guarded as the fields of {@link AbstractRaftStorage} are.
   */
  private final ArrayList<Entry> live = new ArrayList<>();

  // The writer's own state.
  private FileChannel segment;
  private long sequence;

  /** End of the last complete write to {@link #segment}. */
  private long written;

  /** A write to {@link #segment} failed part-way: cut it back to {@link #written} first. */
  private boolean cutBack;

  private FileLogStorage(Builder b) {
    this.dir = b.dir.toAbsolutePath().normalize();
    this.clusterId = b.clusterId;
    this.nodeId = b.nodeId;
    this.segmentSize = b.segmentSize;
    this.channels = b.channels;
    this.snapshotFiles = new LogFileSnapshot(dir, channels);
    try {
      Files.createDirectories(dir);
      lockChannel =
          channels.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new LogFileException("Could not open the raft log directory " + dir, e);
    }
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (OverlappingFileLockException | IOException e) {
      l = null;
    }
    if (l == null) {
      closeQuietly(lockChannel);
      throw new LogFileException(
          "The raft log directory " + dir + " is in use by another storage (its " + LOCK_FILE
              + " is locked); each node needs a directory of its own");
    }
    lock = l;
    try {
      open();
    } catch (IOException e) {
      close();
      throw new LogFileException("Could not open the raft log in " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    LOG.log(
        System.Logger.Level.INFO,
        "Raft log of node {0} in cluster {1} opened in {2}: entries ({3}, {4}], snapshot at {5}",
        Long.toUnsignedString(nodeId),
        clusterId,
        dir,
        dummyIndex,
        lastIndexUnlocked(),
        snapshotMetadata.getIndex());
  }

  /** Starts configuring the storage of {@code nodeId} in directory {@code dir}. */
  public static Builder builder(Path dir, long nodeId) {
    return new Builder(dir, nodeId);
  }

  /** Whether {@code dir} holds segment files of a file log (of any node). */
  public static boolean holdsLog(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> SEGMENT.matcher(f.getFileName().toString()).matches());
    } catch (IOException e) {
      throw new LogFileException("Could not list " + dir, e);
    }
  }

  /** The directory holding the log. */
  public Path directory() {
    return dir;
  }

  /** The cluster whose log this is. */
  public String clusterId() {
    return clusterId;
  }

  /** The node whose log this is. */
  public long nodeId() {
    return nodeId;
  }

  // ---------------------------------------------------------------------------------------------
  // Read side

  @Override
  void readEntries(long lo, long hi, LogAppends.SizeBudget budget) {
    for (long i = lo; i < hi; i++) {
      if (!budget.add(live.get((int) (i - dummyIndex - 1)))) {
        return;
      }
    }
  }

  @Override
  long termOf(long i) {
    return live.get((int) (i - dummyIndex - 1)).getTerm();
  }

  @Override
  Snapshot readSnapshot(long index) {
    return snapshotFiles.read(index);
  }

  // ---------------------------------------------------------------------------------------------
  // Write side

  /**
   * Persists what one {@code Ready} asks for as one write of the segment: the snapshot (whose
   * file is replaced first; it replaces the log), then the entries (replacing any conflicting
   * suffix; entries at or below the compaction point are skipped), then the hard state. A save
   * with a snapshot is always synced.
   *
   * @throws SnapOutOfDateException if the snapshot is not newer than the stored one
   * @throws IllegalArgumentException if the entries are not contiguous, or would leave a gap
   * @throws LogFileException if a file write fails; nothing was changed then
   */
  @Override
  public void save(HardState hardState, List<Entry> entries, Snapshot snapshot, boolean sync) {
    synchronized (writeMutex) {
      Change change = change(hardState, entries, snapshot);
      if (change == null) {
        return;
      }
      boolean withSnapshot = change.snapshot() != null;
      SnapshotMetadata meta = snapshot.getMetadata();
      List<Entry> append = change.append();
      boolean withHardState = change.hardState() != null;
      if (withSnapshot) {
        try {
          snapshotFiles.write(snapshot);
        } catch (IOException e) {
          throw failed("write the snapshot at index " + meta.getIndex(), e);
        }
      }
      boolean synced = sync || withSnapshot;
      write(
          new LogFileRecords.Batch()
              .save(
                  synced,
                  withSnapshot ? new LogFileRecords.Point(meta.getIndex(), meta.getTerm()) : null,
                  append,
                  withHardState ? hardState : null),
          synced);
      guard.write(
          () -> {
            if (withSnapshot) {
              snapshotMetadata = meta;
              dummyIndex = meta.getIndex();
              dummyTerm = meta.getTerm();
              live.clear();
            }
            if (!append.isEmpty()) {
              truncateFrom(append.get(0).getIndex());
              live.addAll(append);
            }
            if (withHardState) {
              this.hardState = hardState;
            }
          });
      if (withSnapshot) {
        removeOldSnapshots();
      }
    }
  }

  /**
   * Discards the entries up to {@code compactIndex}, which becomes the compaction point. The caller
   * must only compact entries that are applied and covered by a snapshot. The change is written
   * without a sync: should it be lost, the log merely holds more entries after a restart.
   *
   * @throws CompactedException if {@code compactIndex} is not above the current compaction point
   * @throws IllegalArgumentException if {@code compactIndex} is beyond the last index
   * @throws LogFileException if the write fails (the entries are dropped from memory all the same)
   */
  @Override
  public void compact(long compactIndex) {
    synchronized (writeMutex) {
      LogAppends.checkCompaction(compactIndex, dummyIndex, lastIndexUnlocked());
      long term = term(compactIndex);
      guard.write(
          () -> {
            live.subList(0, (int) (compactIndex - dummyIndex)).clear();
            dummyIndex = compactIndex;
            dummyTerm = term;
          });
      write(new LogFileRecords.Batch().compact(new LogFileRecords.Point(compactIndex, term)), false);
    }
  }

  /**
   * Stores a snapshot of the state machine at {@code index} (an index the log holds) and returns
   * it. The log is left alone; call {@link #compact} afterwards to discard entries.
   *
   * @param confState the configuration at {@code index}; {@code null} keeps the previous one
   * @param data the application's snapshot, or {@code null} for none
   * @throws SnapOutOfDateException if {@code index} is not above the stored snapshot's index
   * @throws CompactedException if {@code index} is below the compaction point
   * @throws IllegalArgumentException if {@code index} is beyond the last index
   * @throws LogFileException if the snapshot file could not be written
   */
  @Override
  public Snapshot createSnapshot(
      long index, @Nullable ConfState confState, @Nullable ByteString data) {
    synchronized (writeMutex) {
      Snapshot snapshot =
          LogAppends.snapshotAt(
              index, this::term, snapshotMetadata, dummyIndex, lastIndexUnlocked(), confState, data);
      try {
        snapshotFiles.write(snapshot);
      } catch (IOException e) {
        throw failed("write the snapshot at index " + index, e);
      }
      write(new LogFileRecords.Batch().snapshotTaken(index), true);
      guard.write(() -> snapshotMetadata = snapshot.getMetadata());
      removeOldSnapshots();
      return snapshot;
    }
  }

  /** Releases the files; the storage must not be used afterwards. */
  @Override
  public void close() {
    synchronized (writeMutex) {
      if (segment != null) {
        closeQuietly(segment);
      }
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } catch (IOException ignored) {
        // Closing the channel releases it as well.
      }
      closeQuietly(lockChannel);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  @Override
  long lastIndexUnlocked() {
    return dummyIndex + live.size();
  }

  /** Drops the entries from {@code index} on; the caller holds the write lock. */
  private void truncateFrom(long index) {
    int keep = (int) (index - dummyIndex - 1);
    if (keep < live.size()) {
      live.subList(keep, live.size()).clear();
    }
  }

  /**
   * Appends {@code batch} to the segment in one write, forced when {@code sync}. A segment that
   * has grown past the segment size is first replaced by a new one; a segment whose last write
   * failed is first cut back to the end of the write before it.
   */
  private void write(LogFileRecords.Batch batch, boolean sync) {
    try {
      if (cutBack) {
        if (!segment.isOpen()) {
          segment = channels.open(segmentPath(sequence), StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        segment.truncate(written);
        segment.force(false);
        cutBack = false;
      }
      if (written >= segmentSize) {
        roll();
      }
      writeFully(segment, batch.buffer(), written);
      if (sync) {
        segment.force(false);
      }
    } catch (IOException e) {
      cutBack = true;
      throw failed("append to " + segmentPath(sequence), e);
    }
    written += batch.size();
  }

  /**
   * Starts segment {@code sequence + 1} with a checkpoint of the current state and only then
   * deletes the old segment. The new segment is written under a temporary name, forced and renamed,
   * so a segment file under its own name always begins with a whole checkpoint; until the rename
   * is durable the old segment stays the log, and a failed attempt leaves it in use (the next write
   * tries again before writing anything to it).
   */
  private void roll() throws IOException {
    long next = sequence + 1;
    Path path = segmentPath(next);
    LogFileRecords.Batch checkpoint = checkpointBatch();
    channels.replace(path, checkpoint.buffer());
    FileChannel ch = channels.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel old = segment;
    Path oldPath = segmentPath(sequence);
    segment = ch;
    sequence = next;
    written = checkpoint.size();
    if (old == null) {
      return;
    }
    closeQuietly(old);
    try {
      Files.deleteIfExists(oldPath);
      channels.forceDirectory(dir);
    } catch (IOException e) {
      // The new segment is complete and durable: the old one is only garbage, removed at the next
      // open.
      LOG.log(System.Logger.Level.WARNING, "Could not delete the old raft log segment " + oldPath, e);
    }
  }

  private LogFileRecords.Batch checkpointBatch() {
    return new LogFileRecords.Batch()
        .checkpoint(
            clusterId,
            nodeId,
            new LogFileRecords.Point(dummyIndex, dummyTerm),
            snapshotMetadata.getIndex(),
            hardState,
            live);
  }

  /** The log names the current snapshot durably: the others are garbage. */
  private void removeOldSnapshots() {
    try {
      snapshotFiles.removeAllBut(snapshotMetadata.getIndex());
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "Could not remove old raft snapshots in " + dir, e);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += ch.write(buffer, at);
    }
  }

  private LogFileException failed(String what, IOException e) {
    return new LogFileException(
        "Could not " + what + " (raft log of node " + Long.toUnsignedString(nodeId) + "): "
            + e.getMessage(),
        e);
  }

  private Path segmentPath(long seq) {
    return dir.resolve(String.format("log-%016x.raft", seq));
  }

  // --- opening -----------------------------------------------------------------------------------

  /**
   * Replays the newest segment, cuts off a torn end, loads the snapshot the log names, and removes
   * what older segments and snapshots a crash left behind.
   */
  private void open() throws IOException {
    TreeMap<Long, Path> segments = listSegments();
    if (segments.isEmpty()) {
      if (snapshotFiles.any()) {
        throw new LogFileCorruptionException(
            dir, 0, "a snapshot is stored but no log segment is left beside it");
      }
      roll();
      return;
    }
    long newest = segments.lastKey();
    Path path = segments.get(newest);
    byte[] bytes = Files.readAllBytes(path);
    LogFileRecords.Found first = LogFileRecords.read(bytes, 0, bytes.length);
    if (first == null || !(first.record() instanceof LogFileRecords.Checkpoint cp)) {
      throw new LogFileCorruptionException(path, 0, "its first record is not a valid checkpoint");
    }
    long snapshotIndex = start(path, cp);
    long end = first.end();
    while (end < bytes.length) {
      LogFileRecords.Found r = LogFileRecords.read(bytes, (int) end, bytes.length);
      if (r == null) {
        if (LogFileRecords.syncedAfter(bytes, (int) end, bytes.length)) {
          throw new LogFileCorruptionException(
              path, end, "a record does not match its checksum, and a synced record follows it");
        }
        if (!LogFileRecords.looksTorn(bytes, (int) end, bytes.length)) {
          throw new LogFileCorruptionException(
              path, end, "a whole record does not match its checksum");
        }
        break;
      }
      snapshotIndex = replay(path, r, snapshotIndex);
      end = r.end();
    }
    if (snapshotIndex > 0) {
      snapshotMetadata = snapshotFiles.read(snapshotIndex).getMetadata();
    }
    sequence = newest;
    segment = channels.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (end < bytes.length) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Cutting the torn end off the raft log " + path + ": " + (bytes.length - end)
              + " bytes after byte " + end + ", of writes that were never forced");
      segment.truncate(end);
      segment.force(false);
    }
    written = end;
    for (Path older : segments.headMap(newest).values()) {
      // Left by a roll that was cut short after its new segment became durable.
      Files.deleteIfExists(older);
    }
    snapshotFiles.removeAllBut(snapshotIndex);
  }

  /** Takes the state of a segment's checkpoint; returns the index of the snapshot it names. */
  private long start(Path path, LogFileRecords.Checkpoint cp) {
    if (cp.format() != LogFileRecords.FORMAT) {
      throw new LogFileCorruptionException(
          path,
          0,
          "format " + cp.format() + " is not the " + LogFileRecords.FORMAT + " this version reads");
    }
    if (cp.nodeId() != nodeId || !cp.clusterId().equals(clusterId)) {
      throw new ClusterLogMismatchException(
          "The raft log in " + dir + " belongs to node " + Long.toUnsignedString(cp.nodeId())
              + " of cluster \"" + cp.clusterId() + "\", not to node "
              + Long.toUnsignedString(nodeId) + " of cluster \"" + clusterId + "\".",
          "Give each node a data directory of its own (raft.storage.data-dir), or, if this node"
              + " really is to start a new log, move the directory away.");
    }
    dummyIndex = cp.compaction().index();
    dummyTerm = cp.compaction().term();
    hardState = cp.hardState();
    live.addAll(cp.entries());
    return cp.snapshotIndex();
  }

  /** Applies one record read back; returns the index of the snapshot the log now names. */
  private long replay(Path path, LogFileRecords.Found found, long snapshotIndex) {
    LogFileRecords.Decoded record = found.record();
    if (record instanceof LogFileRecords.Save save) {
      LogFileRecords.Point reset = save.reset();
      if (reset != null) {
        dummyIndex = reset.index();
        dummyTerm = reset.term();
        live.clear();
        snapshotIndex = reset.index();
      }
      List<Entry> append;
      try {
        append = LogAppends.entriesToAppend(save.entries(), dummyIndex, lastIndexUnlocked());
      } catch (IllegalArgumentException e) {
        throw new LogFileCorruptionException(path, found.offset(), e.getMessage());
      }
      if (!append.isEmpty()) {
        truncateFrom(append.get(0).getIndex());
        live.addAll(append);
      }
      HardState hs = save.hardState();
      if (hs != null) {
        hardState = hs;
      }
    } else if (record instanceof LogFileRecords.Compact c) {
      long index = c.point().index();
      if (index > lastIndexUnlocked()) {
        throw new LogFileCorruptionException(
            path,
            found.offset(),
            "a compaction to " + index + " beyond the last index " + lastIndexUnlocked());
      }
      if (index > dummyIndex) {
        live.subList(0, (int) (index - dummyIndex)).clear();
        dummyIndex = index;
        dummyTerm = c.point().term();
      }
    } else if (record instanceof LogFileRecords.SnapshotTaken t) {
      snapshotIndex = t.index();
    } else {
      throw new LogFileCorruptionException(path, found.offset(), "a checkpoint inside the segment");
    }
    return snapshotIndex;
  }

  private TreeMap<Long, Path> listSegments() throws IOException {
    TreeMap<Long, Path> segments = new TreeMap<>();
    List<Path> temporaries = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(
          f -> {
            Matcher m = SEGMENT.matcher(f.getFileName().toString());
            if (m.matches()) {
              segments.put(Long.parseUnsignedLong(m.group(1), 16), f);
            } else if (f.getFileName().toString().endsWith(LogFileChannels.TEMPORARY_SUFFIX)) {
              // A segment or snapshot whose writing was cut short, never renamed into place.
              temporaries.add(f);
            }
          });
    }
    for (Path t : temporaries) {
      Files.deleteIfExists(t);
    }
    return segments;
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // Nothing is left to write through it.
    }
  }

  /** Settings of a {@link FileLogStorage}; {@link #open()} opens it. */
  public static final class Builder {

    private final Path dir;
    private final long nodeId;
    private String clusterId = JdbcStorage.DEFAULT_CLUSTER_ID;
    private long segmentSize = DEFAULT_SEGMENT_SIZE;
    private LogFileChannels channels = LogFileChannels.DEFAULT;

    private Builder(Path dir, long nodeId) {
      this.dir = Objects.requireNonNull(dir, "dir");
      if (nodeId == 0) {
        throw new IllegalArgumentException("node id 0 is reserved for \"no node\"");
      }
      this.nodeId = nodeId;
    }

    /** The cluster whose log this is (default {@value JdbcStorage#DEFAULT_CLUSTER_ID}). */
    public Builder clusterId(String clusterId) {
      Objects.requireNonNull(clusterId, "clusterId");
      if (clusterId.isBlank()) {
        throw new IllegalArgumentException("cluster id must not be blank");
      }
      this.clusterId = clusterId;
      return this;
    }

    /**
     * Size in bytes beyond which the next write starts a new segment (default {@value
     * #DEFAULT_SEGMENT_SIZE}). Every new segment begins with a copy of the live log, so this
     * should be well above the live log's size.
     */
    public Builder segmentSize(long segmentSize) {
      if (segmentSize <= 0 || segmentSize > MAX_SEGMENT_SIZE) {
        throw new IllegalArgumentException(
            "segment size must be positive and at most " + MAX_SEGMENT_SIZE + ": " + segmentSize);
      }
      this.segmentSize = segmentSize;
      return this;
    }

    Builder channels(LogFileChannels channels) {
      this.channels = Objects.requireNonNull(channels, "channels");
      return this;
    }

    /**
     * Opens the log, creating the directory and an empty log if there is none.
     *
     * @throws LogFileCorruptionException if the files are damaged
     * @throws ClusterLogMismatchException if the log belongs to another cluster or node id
     * @throws LogFileException if the files cannot be read or the directory is in use
     */
    public FileLogStorage open() {
      return new FileLogStorage(this);
    }
  }
}
