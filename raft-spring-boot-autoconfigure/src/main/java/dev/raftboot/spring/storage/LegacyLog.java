package dev.raftboot.spring.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The tables raftboot 0.1 kept the log in ({@code raft_log}, {@code raft_hard_state}, {@code
 * raft_snapshot}), keyed by node id without a cluster id. They are only read to find out whether a
 * node has a log there, and their rows of one node are moved into the current tables when the
 * operator names the cluster they belong to.
 */
final class LegacyLog {

  static final String TABLES = "raft_log, raft_hard_state and raft_snapshot";

  private static final String[] TABLE_NAMES = {"raft_log", "raft_hard_state", "raft_snapshot"};

  private static final String[] MOVES = {
    "INSERT INTO raft_cluster_log (cluster_id, node_id, idx, term, type, data)"
        + " SELECT ?, node_id, idx, term, type, data FROM raft_log WHERE node_id = ?",
    "INSERT INTO raft_cluster_hard_state (cluster_id, node_id, term, vote, commit_idx)"
        + " SELECT ?, node_id, term, vote, commit_idx FROM raft_hard_state WHERE node_id = ?",
    "INSERT INTO raft_cluster_snapshot (cluster_id, node_id, idx, term, conf_state, data)"
        + " SELECT ?, node_id, idx, term, conf_state, data FROM raft_snapshot WHERE node_id = ?"
  };

  private LegacyLog() {}

  /**
   * Whether the old tables hold rows of {@code nodeId}. Tables that do not exist hold nothing; any
   * other failure is thrown, since taking an unreadable old log for "none" would start the node
   * with an empty log and let it vote twice in a term.
   */
  static boolean holds(Connection c, long nodeId) throws SQLException {
    for (String table : TABLE_NAMES) {
      if (hasRows(c, table, nodeId)) {
        return true;
      }
    }
    return false;
  }

  /** Moves the rows of {@code nodeId} into the current tables under {@code clusterId}. */
  static void moveInto(Connection c, String clusterId, long nodeId) throws SQLException {
    for (String move : MOVES) {
      try (PreparedStatement ps = c.prepareStatement(move)) {
        ps.setString(1, clusterId);
        ps.setLong(2, nodeId);
        ps.executeUpdate();
      }
    }
    for (String table : TABLE_NAMES) {
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM " + table + " WHERE node_id = ?")) {
        ps.setLong(1, nodeId);
        ps.executeUpdate();
      }
    }
  }

  /** The statements an operator runs to delete the old log of {@code nodeId}. */
  static String deleteStatements(long nodeId) {
    StringBuilder sql = new StringBuilder();
    for (String table : TABLE_NAMES) {
      sql.append("DELETE FROM ")
          .append(table)
          .append(" WHERE node_id = ")
          .append(nodeId)
          .append("; ");
    }
    return sql.toString().strip();
  }

  private static boolean hasRows(Connection c, String table, long nodeId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM " + table + " WHERE node_id = ?")) {
      ps.setLong(1, nodeId);
      ps.setMaxRows(1);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      if (isMissingTable(e)) {
        if (!c.getAutoCommit()) {
          // PostgreSQL refuses every further statement of a transaction after a failed one.
          c.rollback();
        }
        return false;
      }
      throw e;
    }
  }

  /**
   * Whether {@code e} says the table does not exist: SQLState 42P01 (PostgreSQL), 42S02 (H2,
   * MariaDB, MySQL, and the SQL standard's "base table not found").
   */
  private static boolean isMissingTable(SQLException e) {
    String state = e.getSQLState();
    return "42P01".equals(state) || "42S02".equals(state) || "42S04".equals(state);
  }
}
