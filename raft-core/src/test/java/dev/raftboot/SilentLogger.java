package dev.raftboot;

/**
 * A {@link Logger} that discards everything: keeps tests fast and their output readable. Part of
 * raft-core's test-jar.
 */
public final class SilentLogger implements Logger {

  /** The one instance; it holds no state. */
  public static final SilentLogger INSTANCE = new SilentLogger();

  private SilentLogger() {}

  @Override
  public void debug(String format, Object... args) {}

  @Override
  public void info(String format, Object... args) {}

  @Override
  public void warn(String format, Object... args) {}

  @Override
  public void error(String format, Object... args) {}

  @Override
  public void fatal(String format, Object... args) {}
}
