package dev.raftboot.spring.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.springframework.beans.factory.DisposableBean;

/** A temporary directory deleted, with everything in it, when its owner is destroyed. */
public final class ThrowAwayDirectory implements DisposableBean, AutoCloseable {

  private final Path path;

  private ThrowAwayDirectory(Path path) {
    this.path = path;
  }

  /** Creates a new empty directory under {@code java.io.tmpdir}. */
  public static ThrowAwayDirectory create(String prefix) {
    try {
      return new ThrowAwayDirectory(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for a test raft log", e);
    }
  }

  public Path path() {
    return path;
  }

  /** Deletes the directory tree; what cannot be deleted (a file still open) is left behind. */
  @Override
  public void close() {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Only a temporary directory: the operating system cleans it up eventually.
    }
  }

  @Override
  public void destroy() {
    close();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
