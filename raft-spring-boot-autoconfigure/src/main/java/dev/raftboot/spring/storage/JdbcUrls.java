package dev.raftboot.spring.storage;

import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Facts about JDBC URLs that matter for where the raft log may live. */
public final class JdbcUrls {

  private static final Pattern PASSWORD =
      Pattern.compile("(?i)(password|pwd)=[^&;]*");

  private JdbcUrls() {}

  /** The URL with the values of password parameters replaced, for logs and messages. */
  public static String redact(String url) {
    return PASSWORD.matcher(url).replaceAll("$1=******");
  }

  /**
   * Whether the URL names a database that lives only in memory and is gone when the process (or the
   * last connection) ends: H2 {@code mem:} databases (embedded or behind an H2 server), HSQLDB
   * {@code mem:} databases, Derby {@code memory:} databases and SQLite {@code :memory:}.
   */
  public static boolean isInMemory(@Nullable String url) {
    if (url == null) {
      return false;
    }
    String u = url.trim().toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:h2:")) {
      String rest = u.substring("jdbc:h2:".length());
      return rest.startsWith("mem:") || rest.contains("/mem:");
    }
    if (u.startsWith("jdbc:hsqldb:")) {
      return u.startsWith("jdbc:hsqldb:mem:");
    }
    if (u.startsWith("jdbc:derby:")) {
      return u.startsWith("jdbc:derby:memory:");
    }
    if (u.startsWith("jdbc:sqlite:")) {
      String rest = u.substring("jdbc:sqlite:".length());
      return rest.isEmpty() || rest.contains(":memory:") || rest.contains("mode=memory");
    }
    return false;
  }
}
