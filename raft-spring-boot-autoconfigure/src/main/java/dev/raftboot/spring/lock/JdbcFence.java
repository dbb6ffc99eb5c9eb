package dev.raftboot.spring.lock;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.regex.Pattern;

/**
 * Refuses the writes of stale lock holders in a relational database: one row per protected
 * resource holds the largest fencing token that has written to it.
 *
 * <p>Call {@link #check} first in the transaction that makes the protected writes. Its {@code
 * UPDATE ... WHERE token <= ?} takes the row's write lock, so a holder with an older token either
 * waits until the newer holder's transaction commits and is then refused, or commits before the
 * newer holder writes at all: the writes of two holders never interleave. The same token may write
 * any number of times. The table:
 *
 * <pre>
 * CREATE TABLE raft_fence (resource VARCHAR(256) PRIMARY KEY, token BIGINT NOT NULL)
 * </pre>
 *
 * <p>A table whose rows are the protected data can carry the token itself instead: {@code UPDATE
 * account SET balance = ?, fence = ? WHERE id = ? AND fence <= ?}, and treat 0 rows updated as
 * stale. Thread-safe (it holds no state beyond the table name).
 */
public final class JdbcFence {

  /** The table name used by {@link #JdbcFence()}. */
  public static final String DEFAULT_TABLE = "raft_fence";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

  private final String table;

  public JdbcFence() {
    this(DEFAULT_TABLE);
  }

  /**
   * @param table the fence table, optionally qualified with a schema
   * @throws IllegalArgumentException when {@code table} is not a plain SQL identifier
   */
  public JdbcFence(String table) {
    if (table == null || !IDENTIFIER.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "the fence table must be a plain SQL name such as raft_fence or app.raft_fence, not '"
              + table + "'");
    }
    this.table = table;
  }

  /** The statement that creates the table. */
  public String createTableSql() {
    return "CREATE TABLE " + table + " (resource VARCHAR(256) PRIMARY KEY, token BIGINT NOT NULL)";
  }

  /**
   * Records that {@code token} writes to {@code resource}, inside the caller's transaction on
   * {@code connection}.
   *
   * @throws StaleTokenException when a larger token has written to {@code resource}
   * @throws IllegalStateException when {@code connection} is in auto-commit mode: the check must
   *     share the transaction of the writes it protects
   * @throws SQLException from the database
   */
  public void check(Connection connection, String resource, long token) throws SQLException {
    if (connection.getAutoCommit()) {
      throw new IllegalStateException(
          "JdbcFence.check must run in the transaction of the writes it protects; the connection"
              + " is in auto-commit mode (use @Transactional or setAutoCommit(false))");
    }
    if (advance(connection, resource, token)) {
      return;
    }
    // No row yet, or a larger token. A concurrent first insert makes ours fail: read again then.
    Savepoint savepoint = connection.setSavepoint();
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + table + " (resource, token) VALUES (?, ?)")) {
      insert.setString(1, resource);
      insert.setLong(2, token);
      insert.executeUpdate();
      connection.releaseSavepoint(savepoint);
      return;
    } catch (SQLException e) {
      connection.rollback(savepoint);
    }
    if (!advance(connection, resource, token)) {
      throw new StaleTokenException(resource, token, current(connection, resource));
    }
  }

  private boolean advance(Connection connection, String resource, long token) throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE " + table + " SET token = ? WHERE resource = ? AND token <= ?")) {
      update.setLong(1, token);
      update.setString(2, resource);
      update.setLong(3, token);
      return update.executeUpdate() == 1;
    }
  }

  private long current(Connection connection, String resource) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT token FROM " + table + " WHERE resource = ?")) {
      select.setString(1, resource);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}
