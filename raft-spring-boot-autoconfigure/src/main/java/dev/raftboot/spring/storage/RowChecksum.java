package dev.raftboot.spring.storage;

import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The CRC32C stored with every row of {@code raft_cluster_log} and {@code raft_cluster_snapshot},
 * over the column values as they are written (a NULL column counts differently from an empty one),
 * so that a row changed behind raft's back, by a disk or by hand, is refused when read instead of
 * being handed to raft as if it had been acknowledged.
 */
final class RowChecksum {

  /** "RAFTRUN1" in ASCII. */
  private static final long RUN_MARKER = 0x5241465452554e31L;

  private RowChecksum() {}

  /** The checksum of a log row; {@code type} and {@code data} are null for the dummy row. */
  static int entry(long index, long term, @Nullable Integer type, byte @Nullable [] data) {
    CRC32C crc = new CRC32C();
    putLong(crc, index);
    putLong(crc, term);
    putLong(crc, type == null ? -1 : type);
    putBytes(crc, data);
    return (int) crc.getValue();
  }

  /**
   * The checksum of a run row, holding entries {@code first..last} (of which {@code term} is the
   * first one's) framed in {@code data}. A marker goes first, so that a run row's values do not
   * sum as they would in an entry row.
   */
  static int run(long first, long last, long term, byte[] data) {
    CRC32C crc = new CRC32C();
    putLong(crc, RUN_MARKER);
    putLong(crc, first);
    putLong(crc, last);
    putLong(crc, term);
    putBytes(crc, data);
    return (int) crc.getValue();
  }

  /** The checksum of a snapshot row. */
  static int snapshot(long index, long term, byte @Nullable [] confState, byte @Nullable [] data) {
    CRC32C crc = new CRC32C();
    putLong(crc, index);
    putLong(crc, term);
    putBytes(crc, confState);
    putBytes(crc, data);
    return (int) crc.getValue();
  }

  /** The length first (-1 for NULL), so that shifting bytes between two columns changes the sum. */
  private static void putBytes(CRC32C crc, byte @Nullable [] bytes) {
    putLong(crc, bytes == null ? -1 : bytes.length);
    if (bytes != null) {
      crc.update(bytes);
    }
  }

  private static void putLong(CRC32C crc, long value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      crc.update((int) (value >>> shift));
    }
  }
}
