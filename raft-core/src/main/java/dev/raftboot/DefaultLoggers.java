package dev.raftboot;

/** Chooses the default {@link Logger} once: SLF4J if its API is on the class path. */
final class DefaultLoggers {

  static final Logger DEFAULT = create();

  private DefaultLoggers() {}

  private static Logger create() {
    try {
      Class.forName("org.slf4j.LoggerFactory", false, DefaultLoggers.class.getClassLoader());
      return new Slf4jLogger(org.slf4j.LoggerFactory.getLogger("dev.raftboot.raft"));
    } catch (ClassNotFoundException | LinkageError e) {
      return new PlatformLogger(System.getLogger("dev.raftboot.raft"));
    }
  }

  private record Slf4jLogger(org.slf4j.Logger log) implements Logger {
    @Override
    public void debug(String format, Object... args) {
      if (log.isDebugEnabled()) {
        log.debug(String.format(format, args));
      }
    }

    @Override
    public void info(String format, Object... args) {
      if (log.isInfoEnabled()) {
        log.info(String.format(format, args));
      }
    }

    @Override
    public void warn(String format, Object... args) {
      log.warn(String.format(format, args));
    }

    @Override
    public void error(String format, Object... args) {
      log.error(String.format(format, args));
    }

    @Override
    public void fatal(String format, Object... args) {
      log.error(String.format(format, args));
    }
  }

  private record PlatformLogger(System.Logger log) implements Logger {
    private void at(System.Logger.Level level, String format, Object[] args) {
      if (log.isLoggable(level)) {
        log.log(level, String.format(format, args));
      }
    }

    @Override
    public void debug(String format, Object... args) {
      at(System.Logger.Level.DEBUG, format, args);
    }

    @Override
    public void info(String format, Object... args) {
      at(System.Logger.Level.INFO, format, args);
    }

    @Override
    public void warn(String format, Object... args) {
      at(System.Logger.Level.WARNING, format, args);
    }

    @Override
    public void error(String format, Object... args) {
      at(System.Logger.Level.ERROR, format, args);
    }

    @Override
    public void fatal(String format, Object... args) {
      at(System.Logger.Level.ERROR, format, args);
    }
  }
}
