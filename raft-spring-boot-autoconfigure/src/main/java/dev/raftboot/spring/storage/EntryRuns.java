package dev.raftboot.spring.storage;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.raftpb.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code data} value of a run row of {@code raft_cluster_log}: consecutive entries, each as
 * its protobuf {@code Entry} preceded by its length as a varint (the framing of protobuf's
 * delimited streams), so the entries come back field for field, absent fields included. A run row
 * exists so that one save of many entries is one row to insert, checksum and sync instead of one
 * per entry.
 */
final class EntryRuns {

  /** Most entries in one run row; bounds the rows a range read must look back over. */
  static final int MAX_ENTRIES = 1024;

  /** Run rows stop growing at about this many bytes, so a split run rewrites little. */
  static final int MAX_BYTES = 1 << 20;

  private EntryRuns() {}

  /**
   * Splits consecutive entries into the runs they are stored as, each of at most {@link
   * #MAX_ENTRIES} entries and, unless it is a single entry, at most about {@link #MAX_BYTES}.
   */
  static List<List<Entry>> split(List<Entry> entries) {
    List<List<Entry>> runs = new ArrayList<>();
    int start = 0;
    long bytes = 0;
    for (int i = 0; i < entries.size(); i++) {
      int size = entries.get(i).getSerializedSize();
      if (i > start && (i - start == MAX_ENTRIES || bytes + size > MAX_BYTES)) {
        runs.add(entries.subList(start, i));
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (start < entries.size()) {
      runs.add(entries.subList(start, entries.size()));
    }
    return runs;
  }

  static byte[] encode(List<Entry> run) {
    int size = 0;
    for (Entry e : run) {
      int n = e.getSerializedSize();
      size += CodedOutputStream.computeUInt32SizeNoTag(n) + n;
    }
    byte[] out = new byte[size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      for (Entry e : run) {
        cos.writeUInt32NoTag(e.getSerializedSize());
        e.writeTo(cos);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: the array has exactly the room needed
    }
    cos.checkNoSpaceLeft();
    return out;
  }

  /**
   * The entries {@code first..last} of a run, or null when {@code data} does not hold exactly
   * those indexes; the returned entries share {@code data}, which the caller must not change.
   */
  static @Nullable List<Entry> decode(long first, long last, byte[] data) {
    if (last < first || last - first >= MAX_ENTRIES) {
      return null;
    }
    List<Entry> run = new ArrayList<>((int) (last - first + 1));
    CodedInputStream in = CodedInputStream.newInstance(data);
    in.enableAliasing(true);
    try {
      while (!in.isAtEnd()) {
        int limit = in.pushLimit(in.readRawVarint32());
        Entry e = Entry.parseFrom(in);
        in.checkLastTagWas(0);
        in.popLimit(limit);
        if (e.getIndex() != first + run.size()) {
          return null;
        }
        run.add(e);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return run.size() == last - first + 1 ? run : null;
  }
}
