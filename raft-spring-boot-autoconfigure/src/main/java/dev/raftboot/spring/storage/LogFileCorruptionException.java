package dev.raftboot.spring.storage;

import java.nio.file.Path;

/**
 * A file of a {@link FileLogStorage} holds bytes that are not what the storage wrote: a record
 * whose checksum does not match, followed by records that do (so it is not the torn end of a write
 * that a crash cut short), or a log that contradicts itself. Raft must not use such a log, so the
 * storage refuses to open; rebuild the node from its peers ({@code src-docs/operations.md},
 * "Rebuilding a node").
 */
public class LogFileCorruptionException extends LogFileException {

  private final Path file;
  private final long offset;

  public LogFileCorruptionException(Path file, long offset, String problem) {
    super(
        "The raft log file "
            + file
            + " is corrupt at byte "
            + offset
            + ": "
            + problem
            + ". The node does not start on it; rebuild it from its peers"
            + " (src-docs/operations.md, \"Rebuilding a node\").");
    this.file = file;
    this.offset = offset;
  }

  /** The damaged file. */
  public Path getFile() {
    return file;
  }

  /** Where in the file the damage starts. */
  public long getOffset() {
    return offset;
  }
}
