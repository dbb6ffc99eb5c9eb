package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import dev.raftboot.CompactedException;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The rules every {@link RaftStorage} applies to a save's entries, a read's size limit, a
 * compaction and a snapshot of the applied state.
 */
final class LogAppends {

  private LogAppends() {}

  /**
   * The part of {@code entries} a log with compaction point {@code dummy} and last index {@code
   * last} takes: entries at or below the compaction point are dropped; the rest replaces the log
   * from its first index on.
   *
   * @throws IllegalArgumentException if the entries are not contiguous or would leave a gap after
   *     {@code last}
   */
  static List<Entry> entriesToAppend(List<Entry> entries, long dummy, long last) {
    if (entries.isEmpty()) {
      return List.of();
    }
    long first = entries.get(0).getIndex();
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).getIndex() != first + i) {
        throw new IllegalArgumentException(
            "entries are not contiguous: index "
                + entries.get(i).getIndex()
                + " follows "
                + entries.get(i - 1).getIndex());
      }
    }
    long end = first + entries.size() - 1;
    if (end <= dummy) {
      return List.of();
    }
    if (first <= dummy) {
      entries = entries.subList((int) (dummy + 1 - first), entries.size());
      first = dummy + 1;
    }
    if (first > last + 1) {
      throw new IllegalArgumentException(
          "missing log entry [last: " + last + ", append at: " + first + "]");
    }
    return entries;
  }

  /**
   * Checks that {@code compactIndex} may become the compaction point of a log with compaction
   * point {@code dummy} and last index {@code last}.
   *
   * @throws CompactedException if it is not above the current compaction point
   * @throws IllegalArgumentException if it is beyond the last index
   */
  static void checkCompaction(long compactIndex, long dummy, long last) {
    if (compactIndex <= dummy) {
      throw CompactedException.INSTANCE;
    }
    if (compactIndex > last) {
      throw new IllegalArgumentException(
          "compact " + compactIndex + " is out of bound lastindex(" + last + ")");
    }
  }

  /**
   * The snapshot at {@code index} (of term {@code term}) that {@code createSnapshot} stores, after
   * checking that the log may take it.
   *
   * @param previous the stored snapshot's metadata, whose conf state is kept when {@code
   *     confState} is null
   * @throws SnapOutOfDateException if {@code index} is not above the stored snapshot's index
   * @throws CompactedException if {@code index} is below the compaction point {@code dummy}
   * @throws IllegalArgumentException if {@code index} is beyond the last index {@code last}
   */
  static Snapshot snapshotAt(
      long index,
      LongUnaryOperator termOf,
      SnapshotMetadata previous,
      long dummy,
      long last,
      @Nullable ConfState confState,
      @Nullable ByteString data) {
    if (index <= previous.getIndex()) {
      throw SnapOutOfDateException.INSTANCE;
    }
    if (index > last) {
      throw new IllegalArgumentException(
          "snapshot " + index + " is out of bound lastindex(" + last + ")");
    }
    if (index < dummy) {
      throw CompactedException.INSTANCE;
    }
    SnapshotMetadata.Builder meta =
        SnapshotMetadata.newBuilder().setIndex(index).setTerm(termOf.applyAsLong(index));
    if (confState != null) {
      meta.setConfState(confState);
    } else if (previous.hasConfState()) {
      meta.setConfState(previous.getConfState());
    }
    Snapshot.Builder builder = Snapshot.newBuilder().setMetadata(meta);
    if (data != null) {
      builder.setData(data);
    }
    return builder.build();
  }

  /**
   * The size limit of one {@code entries} call: the first entry always fits, later ones only while
   * the total protobuf size stays within {@code maxSize} (compared unsigned, so -1 is unlimited).
   */
  static final class SizeBudget {
    private final long maxSize;
    private final List<Entry> out;
    private long size;

    SizeBudget(long maxSize, List<Entry> out) {
      this.maxSize = maxSize;
      this.out = out;
    }

    /** Adds {@code e} to the result if it fits; false once the budget is spent. */
    boolean add(Entry e) {
      long next = size + e.getSerializedSize();
      if (!out.isEmpty() && Long.compareUnsigned(next, maxSize) > 0) {
        return false;
      }
      size = next;
      out.add(e);
      return true;
    }
  }
}
