package dev.raftboot;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;

/**
 * Read access to the stable part of the Raft log, the hard state and the latest snapshot.
 *
 * <p>Raft reads through this interface on the thread that drives the node; the application writes
 * (append, hard state, snapshot, compaction) between {@code Ready} and {@code advance}. When one
 * thread does both, as a plain {@link RawNode} loop does, reads and writes never overlap. With
 * {@link Node}, or a writer on another thread, the node keeps reading while the application
 * writes, so the implementation must be thread-safe.
 *
 * <p>Errors are signalled with the unchecked exceptions named below; any other exception is
 * treated as fatal by Raft.
 */
public interface Storage {

  /** The saved hard state and conf state, both empty (default instances) for a new node. */
  InitialState initialState();

  /**
   * Entries in {@code [lo, hi)}, at least one if any is in range, and otherwise no more than
   * {@code maxSize} bytes (protobuf size); {@code maxSize} of {@code -1L} means unlimited.
   *
   * @throws CompactedException if {@code lo} is at or below the snapshot index
   * @throws UnavailableException if {@code hi} is beyond {@code lastIndex() + 1}
   */
  List<Entry> entries(long lo, long hi, long maxSize);

  /**
   * The term of entry {@code i}, which must be in {@code [firstIndex() - 1, lastIndex()]}; the term
   * of {@code firstIndex() - 1} is retained for matching even though that entry is compacted.
   *
   * @throws CompactedException if {@code i} is below {@code firstIndex() - 1}
   * @throws UnavailableException if {@code i} is above {@code lastIndex()}
   */
  long term(long i);

  /** The index of the last entry in the log. */
  long lastIndex();

  /** The index of the first entry that may still be read through {@link #entries}. */
  long firstIndex();

  /**
   * The most recent snapshot. An implementation that is still building one may throw
   * {@link SnapshotTemporarilyUnavailableException}; Raft then retries later.
   */
  Snapshot snapshot();
}
