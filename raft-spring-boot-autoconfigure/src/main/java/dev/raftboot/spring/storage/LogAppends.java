package dev.raftboot.spring.storage;

import dev.raftboot.raftpb.Entry;
import java.util.List;

/** The rules every {@link RaftStorage} applies to a save's entries and to a read's size limit. */
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
