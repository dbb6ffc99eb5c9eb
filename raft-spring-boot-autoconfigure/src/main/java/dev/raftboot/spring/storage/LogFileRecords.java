package dev.raftboot.spring.storage;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The record format of {@link FileLogStorage}'s segment files: one record per write. Each is
 * framed as a 4-byte length (of what follows the checksum), a 4-byte CRC32C of the type byte and
 * payload, the type byte and the payload, all big-endian. A record is valid only when it is whole
 * and its checksum matches.
 *
 * <p>Records of writes that were forced say so ({@link Decoded#synced()}): when an invalid record
 * is followed by a valid synced one, the invalid one was on disk before that force and is damage;
 * when only unsynced records follow, or none, it may be the torn end of writes a power cut
 * interrupted ({@link #looksTorn}).
 */
final class LogFileRecords {

  /** Format version in every checkpoint. */
  static final int FORMAT = 1;

  /** Length and checksum. */
  static final int FRAME = 8;

  /** The unit a disk writes whole or not at all. */
  static final int SECTOR = 512;

  private static final byte CHECKPOINT = 1;
  private static final byte SAVE = 2;
  private static final byte COMPACT = 3;
  private static final byte SNAPSHOT = 4;

  private static final int FLAG_SYNCED = 1;
  private static final int FLAG_RESET = 2;
  private static final int FLAG_HARD_STATE = 4;

  private LogFileRecords() {}

  /** An index and its term. */
  record Point(long index, long term) {}

  /** A record as read back. */
  sealed interface Decoded {
    /** Whether its write was forced before it returned. */
    boolean synced();
  }

  /**
   * First record of every segment: the whole state when the segment was started, so a segment
   * never needs an older one.
   */
  record Checkpoint(
      int format,
      String clusterId,
      long nodeId,
      Point compaction,
      long snapshotIndex,
      HardState hardState,
      List<Entry> entries)
      implements Decoded {
    @Override
    public boolean synced() {
      return true;
    }
  }

  /**
   * One save: optionally a log reset to an installed snapshot's index and term (which becomes the
   * current snapshot), entries that replace the log from the first one's index on, a hard state.
   */
  record Save(boolean synced, @Nullable Point reset, List<Entry> entries, @Nullable HardState hardState)
      implements Decoded {}

  /** Entries up to the point's index are discarded. Written without a force. */
  record Compact(Point point) implements Decoded {
    @Override
    public boolean synced() {
      return false;
    }
  }

  /** The snapshot file of this index is the current snapshot. */
  record SnapshotTaken(long index) implements Decoded {
    @Override
    public boolean synced() {
      return true;
    }
  }

  /** A valid record at {@code offset}, ending at {@code end}. */
  record Found(Decoded record, long offset, long end) {}

  /**
   * The record at {@code pos} of {@code buf[0, limit)}, or null if it is not whole, fails its
   * checksum, or cannot be decoded.
   */
  static @Nullable Found read(byte[] buf, int pos, int limit) {
    if (limit - pos < FRAME + 1) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
    int length = b.getInt(pos);
    if (length < 1 || length > limit - pos - FRAME) {
      return null;
    }
    byte type = buf[pos + FRAME];
    if (type < CHECKPOINT || type > SNAPSHOT) {
      return null;
    }
    CRC32C c = new CRC32C();
    c.update(buf, pos + FRAME, length);
    if ((int) c.getValue() != b.getInt(pos + 4)) {
      return null;
    }
    CodedInputStream in = CodedInputStream.newInstance(buf, pos + FRAME + 1, length - 1);
    try {
      return new Found(decode(type, in), pos, (long) pos + FRAME + length);
    } catch (IOException e) {
      return null;
    }
  }

  private static Decoded decode(byte type, CodedInputStream in) throws IOException {
    switch (type) {
      case CHECKPOINT -> {
        int format = in.readUInt32();
        long nodeId = in.readFixed64();
        String clusterId = in.readString();
        Point compaction = new Point(in.readUInt64(), in.readUInt64());
        long snapshotIndex = in.readUInt64();
        HardState hardState = HardState.parseFrom(in.readBytes());
        return new Checkpoint(
            format, clusterId, nodeId, compaction, snapshotIndex, hardState, entries(in));
      }
      case SAVE -> {
        int flags = in.readUInt32();
        Point reset = (flags & FLAG_RESET) != 0 ? new Point(in.readUInt64(), in.readUInt64()) : null;
        List<Entry> entries = entries(in);
        HardState hs = (flags & FLAG_HARD_STATE) != 0 ? HardState.parseFrom(in.readBytes()) : null;
        return new Save((flags & FLAG_SYNCED) != 0, reset, entries, hs);
      }
      case COMPACT -> {
        return new Compact(new Point(in.readUInt64(), in.readUInt64()));
      }
      default -> {
        return new SnapshotTaken(in.readUInt64());
      }
    }
  }

  private static List<Entry> entries(CodedInputStream in) throws IOException {
    int n = in.readUInt32();
    List<Entry> out = new ArrayList<>(Math.min(n, 4096));
    for (int i = 0; i < n; i++) {
      out.add(Entry.parseFrom(in.readBytes()));
    }
    return out;
  }

  /**
   * Whether a valid record of a forced write starts anywhere in {@code buf(from, limit)}: then the
   * invalid record at {@code from} was on disk before that force, and is damage.
   */
  static boolean syncedAfter(byte[] buf, int from, int limit) {
    for (int pos = from + 1; pos + FRAME < limit; pos++) {
      Found f = read(buf, pos, limit);
      if (f != null && f.record().synced()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the invalid record at {@code pos} looks like the torn end of a write rather than
   * damage: it does not fit in the file, its length is zero, or one of the disk sectors it spans
   * (512-byte aligned) reads as zeros, as a sector of a newly appended region that never reached
   * the disk does. A whole record with no such sector that fails its checksum was changed after it
   * was written.
   */
  static boolean looksTorn(byte[] buf, int pos, int limit) {
    if (limit - pos < FRAME + 1) {
      return true;
    }
    int length = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN).getInt(pos);
    if (length <= 0 || length > limit - pos - FRAME) {
      return true;
    }
    int end = pos + FRAME + length;
    for (int sector = pos - pos % SECTOR; sector < end; sector += SECTOR) {
      int from = Math.max(sector, pos);
      int to = Math.min(sector + SECTOR, end);
      boolean zeros = true;
      for (int i = from; i < to && zeros; i++) {
        zeros = buf[i] == 0;
      }
      if (zeros) {
        return true;
      }
    }
    return false;
  }

  /** Records framed for one write, in order. Built and written by the storage's writer only. */
  static final class Batch {

    private byte[] buf = new byte[256];
    private int size;

    int size() {
      return size;
    }

    ByteBuffer buffer() {
      return ByteBuffer.wrap(buf, 0, size);
    }

    Batch checkpoint(
        String clusterId,
        long nodeId,
        Point compaction,
        long snapshotIndex,
        HardState hardState,
        List<Entry> entries) {
      int length =
          CodedOutputStream.computeUInt32SizeNoTag(FORMAT)
              + CodedOutputStream.computeFixed64SizeNoTag(nodeId)
              + CodedOutputStream.computeStringSizeNoTag(clusterId)
              + pointSize(compaction)
              + CodedOutputStream.computeUInt64SizeNoTag(snapshotIndex)
              + CodedOutputStream.computeMessageSizeNoTag(hardState)
              + entriesSize(entries);
      CodedOutputStream out = begin(CHECKPOINT, length);
      try {
        out.writeUInt32NoTag(FORMAT);
        out.writeFixed64NoTag(nodeId);
        out.writeStringNoTag(clusterId);
        writePoint(out, compaction);
        out.writeUInt64NoTag(snapshotIndex);
        out.writeMessageNoTag(hardState);
        writeEntries(out, entries);
      } catch (IOException e) {
        throw miscounted(e);
      }
      return end(length);
    }

    Batch save(boolean synced, @Nullable Point reset, List<Entry> entries, @Nullable HardState hs) {
      int flags =
          (synced ? FLAG_SYNCED : 0) | (reset != null ? FLAG_RESET : 0) | (hs != null ? FLAG_HARD_STATE : 0);
      int length =
          CodedOutputStream.computeUInt32SizeNoTag(flags)
              + (reset != null ? pointSize(reset) : 0)
              + entriesSize(entries)
              + (hs != null ? CodedOutputStream.computeMessageSizeNoTag(hs) : 0);
      CodedOutputStream out = begin(SAVE, length);
      try {
        out.writeUInt32NoTag(flags);
        if (reset != null) {
          writePoint(out, reset);
        }
        writeEntries(out, entries);
        if (hs != null) {
          out.writeMessageNoTag(hs);
        }
      } catch (IOException e) {
        throw miscounted(e);
      }
      return end(length);
    }

    Batch compact(Point point) {
      int length = pointSize(point);
      CodedOutputStream out = begin(COMPACT, length);
      try {
        writePoint(out, point);
      } catch (IOException e) {
        throw miscounted(e);
      }
      return end(length);
    }

    Batch snapshotTaken(long index) {
      int length = CodedOutputStream.computeUInt64SizeNoTag(index);
      CodedOutputStream out = begin(SNAPSHOT, length);
      try {
        out.writeUInt64NoTag(index);
      } catch (IOException e) {
        throw miscounted(e);
      }
      return end(length);
    }

    private static IllegalStateException miscounted(IOException e) {
      return new IllegalStateException("record size miscounted", e);
    }

    private static int pointSize(Point p) {
      return CodedOutputStream.computeUInt64SizeNoTag(p.index())
          + CodedOutputStream.computeUInt64SizeNoTag(p.term());
    }

    private static void writePoint(CodedOutputStream out, Point p) throws IOException {
      out.writeUInt64NoTag(p.index());
      out.writeUInt64NoTag(p.term());
    }

    private static int entriesSize(List<Entry> entries) {
      int length = CodedOutputStream.computeUInt32SizeNoTag(entries.size());
      for (Entry e : entries) {
        length += CodedOutputStream.computeMessageSizeNoTag(e);
      }
      return length;
    }

    private static void writeEntries(CodedOutputStream out, List<Entry> entries)
        throws IOException {
      out.writeUInt32NoTag(entries.size());
      for (Entry e : entries) {
        out.writeMessageNoTag(e);
      }
    }

    /** Reserves the frame and type byte of a record whose payload is {@code length} bytes. */
    private CodedOutputStream begin(byte type, int length) {
      int need = size + FRAME + 1 + length;
      if (need > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
      }
      buf[size + FRAME] = type;
      return CodedOutputStream.newInstance(buf, size + FRAME + 1, length);
    }

    /** Fills in the frame of the record begun last and makes it part of the batch. */
    private Batch end(int length) {
      CRC32C c = new CRC32C();
      c.update(buf, size + FRAME, length + 1);
      ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
      b.putInt(size, length + 1);
      b.putInt(size + 4, (int) c.getValue());
      size += FRAME + 1 + length;
      return this;
    }
  }
}
