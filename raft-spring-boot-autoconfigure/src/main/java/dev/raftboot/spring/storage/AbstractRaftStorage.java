package dev.raftboot.spring.storage;

import dev.raftboot.CompactedException;
import dev.raftboot.InitialState;
import dev.raftboot.RaftUtil;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.UnavailableException;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What every {@link RaftStorage} here keeps in memory and how it answers raft's reads: the
 * compaction point, the hard state and the snapshot metadata, guarded so that readers see each
 * write whole, and the bounds raft's {@code Storage} contract sets on {@link #entries} and {@link
 * #term}. A subclass holds the entries (in memory or in a database) and writes them.
 *
 * <p>The fields change only in the writer, holding {@link #writeMutex}, under {@link #guard}'s
 * write lock; so the writer reads them without the lock, and readers under its read lock.
 */
abstract class AbstractRaftStorage implements RaftStorage {

  /** Serializes the write methods. */
  final Object writeMutex = new Object();

  final ReadWriteGuard guard = new ReadWriteGuard();

  /** Index and term of the entry just below the first readable one. */
  long dummyIndex;

  long dummyTerm;
  HardState hardState = HardState.getDefaultInstance();
  SnapshotMetadata snapshotMetadata = SnapshotMetadata.getDefaultInstance();

  /** The last index; called under the read lock, or by the writer. */
  abstract long lastIndexUnlocked();

  /**
   * Adds the entries {@code lo} to {@code hi - 1}, all of them in the log, to {@code budget} until
   * it is full; called under the read lock.
   */
  abstract void readEntries(long lo, long hi, LogAppends.SizeBudget budget);

  /** The term of entry {@code i}, above the compaction point and in the log; under the read lock. */
  abstract long termOf(long i);

  /** The stored snapshot, at {@code index}; called under the read lock. */
  abstract Snapshot readSnapshot(long index);

  @Override
  public final InitialState initialState() {
    return guard.read(() -> new InitialState(hardState, snapshotMetadata.getConfState()));
  }

  @Override
  public final List<Entry> entries(long lo, long hi, long maxSize) {
    return guard.read(
        () -> {
          long last = lastIndexUnlocked();
          if (lo <= dummyIndex) {
            throw CompactedException.INSTANCE;
          }
          if (hi > last + 1 || last == dummyIndex) {
            throw UnavailableException.INSTANCE;
          }
          if (lo > hi) {
            throw new IllegalArgumentException("invalid range: lo " + lo + " > hi " + hi);
          }
          List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 256));
          readEntries(lo, hi, new LogAppends.SizeBudget(maxSize, out));
          return out;
        });
  }

  @Override
  public final long term(long i) {
    return guard.read(
        () -> {
          if (i < dummyIndex) {
            throw CompactedException.INSTANCE;
          }
          if (i > lastIndexUnlocked()) {
            throw UnavailableException.INSTANCE;
          }
          return i == dummyIndex ? dummyTerm : termOf(i);
        });
  }

  @Override
  public final long lastIndex() {
    return guard.read(this::lastIndexUnlocked);
  }

  @Override
  public final long firstIndex() {
    return guard.read(() -> dummyIndex + 1);
  }

  @Override
  public final Snapshot snapshot() {
    return guard.read(
        () ->
            snapshotMetadata.getIndex() == 0
                ? Snapshot.getDefaultInstance()
                : readSnapshot(snapshotMetadata.getIndex()));
  }

  /** The hard state last saved (empty for a new node). */
  public final HardState hardState() {
    return guard.read(() -> hardState);
  }

  /** Metadata of the latest snapshot (the default instance when there is none). */
  public final SnapshotMetadata snapshotMetadata() {
    return guard.read(() -> snapshotMetadata);
  }

  /**
   * What a save changes: the snapshot that replaces the log (null: none), the log it starts from
   * (compaction point, its term and the last index, after the snapshot), the entries it appends
   * and the hard state (null: unchanged).
   */
  record Change(
      @Nullable Snapshot snapshot,
      long baseDummy,
      long baseDummyTerm,
      long baseLast,
      List<Entry> append,
      @Nullable HardState hardState) {

    /** The first appended index when entries at or below {@link #baseLast} are replaced, else 0. */
    long truncatesFrom() {
      return !append.isEmpty() && append.get(0).getIndex() <= baseLast
          ? append.get(0).getIndex()
          : 0;
    }
  }

  /**
   * The change a save of these arguments makes, by the rules of {@link RaftStorage#save}; null when
   * it changes nothing. Called by the writer.
   *
   * @throws SnapOutOfDateException if the snapshot is not newer than the stored one
   * @throws IllegalArgumentException if the entries are not contiguous, or would leave a gap
   */
  final @Nullable Change change(HardState hardState, List<Entry> entries, Snapshot snapshot) {
    Objects.requireNonNull(hardState, "hardState");
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(snapshot, "snapshot");
    boolean withSnapshot = !RaftUtil.isEmptySnap(snapshot);
    SnapshotMetadata meta = snapshot.getMetadata();
    if (withSnapshot && meta.getIndex() <= snapshotMetadata.getIndex()) {
      throw SnapOutOfDateException.INSTANCE;
    }
    long baseDummy = withSnapshot ? meta.getIndex() : dummyIndex;
    long baseDummyTerm = withSnapshot ? meta.getTerm() : dummyTerm;
    long baseLast = withSnapshot ? meta.getIndex() : lastIndexUnlocked();
    List<Entry> append = LogAppends.entriesToAppend(entries, baseDummy, baseLast);
    boolean withHardState = !RaftUtil.isEmptyHardState(hardState);
    if (!withSnapshot && append.isEmpty() && !withHardState) {
      return null;
    }
    return new Change(
        withSnapshot ? snapshot : null,
        baseDummy,
        baseDummyTerm,
        baseLast,
        append,
        withHardState ? hardState : null);
  }
}
