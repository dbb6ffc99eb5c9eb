package dev.raftboot;

/**
 * A {@link Logger} that hands each line, formatted, with its level to a {@link Sink}: how a test
 * keeps raft's log lines (all of them, or one level's) to assert on or to print with a trace. Part
 * of raft-core's test-jar. As thread-safe as its sink.
 */
public final class RecordingLogger implements Logger {

  /** The level a line was logged at. */
  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR,
    FATAL
  }

  /** Receives every line. */
  @FunctionalInterface
  public interface Sink {
    void line(Level level, String text);
  }

  private final Sink sink;

  public RecordingLogger(Sink sink) {
    this.sink = sink;
  }

  @Override
  public void debug(String format, Object... args) {
    sink.line(Level.DEBUG, String.format(format, args));
  }

  @Override
  public void info(String format, Object... args) {
    sink.line(Level.INFO, String.format(format, args));
  }

  @Override
  public void warn(String format, Object... args) {
    sink.line(Level.WARN, String.format(format, args));
  }

  @Override
  public void error(String format, Object... args) {
    sink.line(Level.ERROR, String.format(format, args));
  }

  @Override
  public void fatal(String format, Object... args) {
    sink.line(Level.FATAL, String.format(format, args));
  }
}
