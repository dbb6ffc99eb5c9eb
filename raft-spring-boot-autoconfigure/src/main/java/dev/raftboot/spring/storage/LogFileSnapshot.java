package dev.raftboot.spring.storage;

import dev.raftboot.raftpb.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The snapshot files of a {@link FileLogStorage}, {@code snapshot-<index>.snap}: one {@link
 * Snapshot} each, framed as length, CRC32C and bytes. A file is written under a temporary name,
 * forced, renamed into place and the directory forced, so a file under its own name is always
 * whole. Which one is current is recorded in the log, after the file is durable; the others are
 * removed.
 */
final class LogFileSnapshot {

  private static final Pattern NAME = Pattern.compile("snapshot-([0-9a-f]{16})\\.snap");

  private final Path dir;
  private final LogFileChannels channels;

  LogFileSnapshot(Path dir, LogFileChannels channels) {
    this.dir = dir;
    this.channels = channels;
  }

  Path path(long index) {
    return dir.resolve(String.format("snapshot-%016x.snap", index));
  }

  /**
   * The snapshot at {@code index}.
   *
   * @throws LogFileCorruptionException if its file is missing or damaged
   */
  Snapshot read(long index) {
    Path file = path(index);
    if (!Files.exists(file)) {
      throw new LogFileCorruptionException(file, 0, "the log names this snapshot, but it is gone");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new LogFileException("Could not read the raft snapshot " + file, e);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    if (bytes.length < LogFileRecords.FRAME || b.getInt(0) != bytes.length - LogFileRecords.FRAME) {
      throw new LogFileCorruptionException(file, 0, "its length does not match its frame");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, LogFileRecords.FRAME, bytes.length - LogFileRecords.FRAME);
    if ((int) crc.getValue() != b.getInt(4)) {
      throw new LogFileCorruptionException(file, 0, "the snapshot does not match its checksum");
    }
    try {
      return Snapshot.parseFrom(
          ByteBuffer.wrap(bytes, LogFileRecords.FRAME, bytes.length - LogFileRecords.FRAME));
    } catch (IOException e) {
      throw new LogFileCorruptionException(file, LogFileRecords.FRAME, e.getMessage());
    }
  }

  /** Stores {@code snapshot} durably under its index, replacing a file of the same index. */
  void write(Snapshot snapshot) throws IOException {
    byte[] data = snapshot.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(data);
    ByteBuffer frame = ByteBuffer.allocate(LogFileRecords.FRAME).order(ByteOrder.BIG_ENDIAN);
    frame.putInt(data.length).putInt((int) crc.getValue()).flip();
    channels.replace(path(snapshot.getMetadata().getIndex()), frame, ByteBuffer.wrap(data));
  }

  /** Whether any snapshot file is stored. */
  boolean any() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> NAME.matcher(f.getFileName().toString()).matches());
    }
  }

  /** Removes every snapshot file but the one of {@code index} (0: all of them). */
  void removeAllBut(long index) throws IOException {
    List<Path> others = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(
          f -> {
            Matcher m = NAME.matcher(f.getFileName().toString());
            if (m.matches() && Long.parseUnsignedLong(m.group(1), 16) != index) {
              others.add(f);
            }
          });
    }
    for (Path f : others) {
      Files.deleteIfExists(f);
    }
  }
}
