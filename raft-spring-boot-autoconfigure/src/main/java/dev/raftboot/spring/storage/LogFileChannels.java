package dev.raftboot.spring.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * How a {@link FileLogStorage} opens its files and its directory (for {@code force}): the real
 * file system, or in tests one that fails or forgets what was not forced.
 */
interface LogFileChannels {

  LogFileChannels DEFAULT = FileChannel::open;

  /** Suffix of a file being written by {@link #replace}; one left behind was never renamed. */
  String TEMPORARY_SUFFIX = ".tmp";

  FileChannel open(Path path, OpenOption... options) throws IOException;

  /**
   * Makes {@code file} hold {@code contents}, durably and atomically: written under a temporary
   * name, forced, renamed over {@code file}, and the directory forced. After a crash the file holds
   * its old content or the new, never a part of it.
   */
  default void replace(Path file, ByteBuffer... contents) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + TEMPORARY_SUFFIX);
    try (FileChannel ch =
        open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (contents[contents.length - 1].hasRemaining()) {
        ch.write(contents);
      }
      ch.force(true);
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(file.getParent());
  }

  /** Makes the directory's entries (created, renamed, deleted files) durable. */
  default void forceDirectory(Path dir) throws IOException {
    try (FileChannel d = open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
