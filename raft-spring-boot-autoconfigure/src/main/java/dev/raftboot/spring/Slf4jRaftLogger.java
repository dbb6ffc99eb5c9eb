package dev.raftboot.spring.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** raft-core's log lines under the {@code dev.raftboot.raft} logger, formatted only when enabled. */
final class Slf4jRaftLogger implements dev.raftboot.Logger {

  private static final Logger log = LoggerFactory.getLogger("dev.raftboot.raft");

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
