package dev.raftboot.spring.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How a {@link FileLogStorage} opens its files and its directory (for {@code force}): the real
 * file system, or in tests one that fails or forgets what was not forced.
 */
interface LogFileChannels {

  LogFileChannels DEFAULT = FileChannel::open;

  FileChannel open(Path path, OpenOption... options) throws IOException;
}
