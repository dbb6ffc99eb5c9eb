package dev.raftboot.spring.storage;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The few statements that differ between the databases {@link JdbcStorage} knows: upserts of the
 * one-row-per-node tables and the row limit of a query. Everything else is plain SQL.
 */
enum SqlDialect {
  H2("h2") {
    @Override
    String upsertHardState() {
      return "MERGE INTO raft_cluster_hard_state (cluster_id, node_id, term, vote, commit_idx)"
          + " KEY (cluster_id, node_id) VALUES (?, ?, ?, ?, ?)";
    }

    @Override
    String upsertSnapshot() {
      return "MERGE INTO raft_cluster_snapshot"
          + " (cluster_id, node_id, idx, term, conf_state, data, checksum)"
          + " KEY (cluster_id, node_id) VALUES (?, ?, ?, ?, ?, ?, ?)";
    }
  },

  POSTGRESQL("postgresql") {
    @Override
    String upsertHardState() {
      return INSERT_HARD_STATE
          + " ON CONFLICT (cluster_id, node_id) DO UPDATE SET term = EXCLUDED.term,"
          + " vote = EXCLUDED.vote, commit_idx = EXCLUDED.commit_idx";
    }

    @Override
    String upsertSnapshot() {
      return INSERT_SNAPSHOT
          + " ON CONFLICT (cluster_id, node_id) DO UPDATE SET idx = EXCLUDED.idx,"
          + " term = EXCLUDED.term, conf_state = EXCLUDED.conf_state, data = EXCLUDED.data,"
          + " checksum = EXCLUDED.checksum";
    }
  },

  /** MariaDB, and MySQL, which accepts the same statements. */
  MARIADB("mariadb") {
    @Override
    String upsertHardState() {
      return INSERT_HARD_STATE
          + " ON DUPLICATE KEY UPDATE term = VALUES(term), vote = VALUES(vote),"
          + " commit_idx = VALUES(commit_idx)";
    }

    @Override
    String upsertSnapshot() {
      return INSERT_SNAPSHOT
          + " ON DUPLICATE KEY UPDATE idx = VALUES(idx), term = VALUES(term),"
          + " conf_state = VALUES(conf_state), data = VALUES(data), checksum = VALUES(checksum)";
    }
  },

  /**
   * Any other database: the upserts become delete-then-insert inside the write transaction, and the
   * row limit is the SQL:2008 {@code FETCH FIRST} clause.
   */
  GENERIC(null) {
    @Override
    String upsertHardState() {
      return INSERT_HARD_STATE;
    }

    @Override
    String upsertSnapshot() {
      return INSERT_SNAPSHOT;
    }

    @Override
    String limit() {
      return " FETCH FIRST ? ROWS ONLY";
    }

    @Override
    void beforeUpsert(Connection connection, String table, String clusterId, long nodeId)
        throws SQLException {
      try (PreparedStatement ps =
          connection.prepareStatement(
              "DELETE FROM " + table + " WHERE cluster_id = ? AND node_id = ?")) {
        ps.setString(1, clusterId);
        ps.setLong(2, nodeId);
        ps.executeUpdate();
      }
    }
  };

  private static final String INSERT_HARD_STATE =
      "INSERT INTO raft_cluster_hard_state (cluster_id, node_id, term, vote, commit_idx)"
          + " VALUES (?, ?, ?, ?, ?)";

  private static final String INSERT_SNAPSHOT =
      "INSERT INTO raft_cluster_snapshot"
          + " (cluster_id, node_id, idx, term, conf_state, data, checksum)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)";

  private final @Nullable String platform;

  SqlDialect(@Nullable String platform) {
    this.platform = platform;
  }

  /** The platform name used in the schema script names, {@code null} for unknown databases. */
  @Nullable String platform() {
    return platform;
  }

  /**
   * Inserts or replaces the hard state row; parameters: cluster_id, node_id, term, vote, commit.
   */
  abstract String upsertHardState();

  /**
   * Inserts or replaces the snapshot row; parameters: cluster_id, node_id, idx, term, conf_state,
   * data, checksum.
   */
  abstract String upsertSnapshot();

  /** The clause that limits a query to {@code ?} rows, appended after its ORDER BY. */
  String limit() {
    return " LIMIT ?";
  }

  /** Runs before an upsert statement on the same connection; only needed without a real upsert. */
  void beforeUpsert(Connection connection, String table, String clusterId, long nodeId)
      throws SQLException {}

  static SqlDialect of(DatabaseMetaData metaData) throws SQLException {
    return ofProductName(metaData.getDatabaseProductName());
  }

  static SqlDialect ofProductName(@Nullable String productName) {
    String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
    if (name.equals("h2")) {
      return H2;
    }
    if (name.equals("postgresql")) {
      return POSTGRESQL;
    }
    if (name.equals("mariadb") || name.equals("mysql")) {
      return MARIADB;
    }
    return GENERIC;
  }
}
