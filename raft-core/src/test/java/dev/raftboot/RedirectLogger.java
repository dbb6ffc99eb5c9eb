package dev.raftboot;

import java.util.List;
import java.util.Locale;

/**
 * The interaction harness's output buffer, which is at the same time the {@link Logger} of every
 * node in the environment, so raft's log lines land in the output at the moment they are emitted,
 * between the harness's own lines.
 *
 * <p>Levels are numbered {@code DEBUG}=0 up to {@code NONE}=5; a line of level L is kept iff the
 * current level is at most L. At {@code NONE} every write is dropped, the harness's own text
 * included. Each log line is the level name, a space, the formatted text and a newline (unless
 * the format already ends with one).
 */
final class RedirectLogger implements Logger {

  static final List<String> LEVEL_NAMES = List.of("DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE");
  static final int DEBUG = 0;
  static final int INFO = 1;
  static final int WARN = 2;
  static final int ERROR = 3;
  static final int FATAL = 4;
  static final int NONE = 5;

  private StringBuilder buf = new StringBuilder();
  private int level = DEBUG;

  int level() {
    return level;
  }

  void level(int level) {
    this.level = level;
  }

  /** The level with that name (any case), or -1. */
  static int levelByName(String name) {
    return LEVEL_NAMES.indexOf(name.toUpperCase(Locale.ROOT));
  }

  boolean quiet() {
    return level == NONE;
  }

  /** Appends harness text; dropped when the level is {@code NONE}. */
  void write(String s) {
    if (level == NONE) {
      return;
    }
    buf.append(s);
  }

  /** Replaces the buffer the output goes to and returns the previous one. */
  StringBuilder swap(StringBuilder next) {
    StringBuilder prev = buf;
    buf = next;
    return prev;
  }

  void reset() {
    buf = new StringBuilder();
  }

  int length() {
    return buf.length();
  }

  String contents() {
    return buf.toString();
  }

  private void log(int lvl, String format, Object[] args) {
    if (level > lvl) {
      return;
    }
    String text = args == null || args.length == 0 ? String.format(format) : String.format(format, args);
    StringBuilder line = new StringBuilder(LEVEL_NAMES.get(lvl)).append(' ').append(text);
    if (format.isEmpty() || !format.endsWith("\n")) {
      line.append('\n');
    }
    write(line.toString());
  }

  @Override
  public void debug(String format, Object... args) {
    log(DEBUG, format, args);
  }

  @Override
  public void info(String format, Object... args) {
    log(INFO, format, args);
  }

  @Override
  public void warn(String format, Object... args) {
    log(WARN, format, args);
  }

  @Override
  public void error(String format, Object... args) {
    log(ERROR, format, args);
  }

  @Override
  public void fatal(String format, Object... args) {
    log(FATAL, format, args);
  }
}
