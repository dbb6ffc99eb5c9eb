package dev.raftboot;

/**
 * The logger raft-core writes to. Formats follow {@link String#format}; node IDs are passed as
 * {@code long} and printed with {@code %x}, which Java renders unsigned, as etcd raft does.
 *
 * <p>Implementations must be safe to call from the thread that drives the node. {@link
 * #defaultLogger()} writes to SLF4J when it is on the class path and to {@link System.Logger}
 * otherwise.
 */
public interface Logger {

  void debug(String format, Object... args);

  void info(String format, Object... args);

  void warn(String format, Object... args);

  void error(String format, Object... args);

  /** Logs an unrecoverable condition; raft-core throws {@link IllegalStateException} after it. */
  void fatal(String format, Object... args);

  /** Logs at FATAL and returns the exception the caller throws: {@code throw logger.panic(...)}. */
  default IllegalStateException panic(String format, Object... args) {
    fatal(format, args);
    return new IllegalStateException(String.format(format, args));
  }

  /** The process-wide default: SLF4J when present, the JDK's platform logger otherwise. */
  static Logger defaultLogger() {
    return DefaultLoggers.DEFAULT;
  }
}
