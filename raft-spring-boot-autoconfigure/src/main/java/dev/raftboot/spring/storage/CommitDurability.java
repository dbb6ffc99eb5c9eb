package dev.raftboot.spring.storage;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What it takes on the connected database for a commit to be on disk when {@code commit()} returns,
 * worked out once when a {@link JdbcStorage} starts. See {@code src-docs/storage-durability.md} for
 * the reasoning per database.
 *
 * <ul>
 *   <li>H2 (embedded, file): a commit only reaches the MVStore in memory; the store writes a chunk
 *       up to {@code WRITE_DELAY} ms later and never fsyncs it. {@code CHECKPOINT SYNC} writes the
 *       pending chunk and forces the file to disk, so it runs after every commit.
 *   <li>PostgreSQL: a commit waits for its WAL flush unless {@code fsync} or {@code
 *       synchronous_commit} is off. {@code fsync=off} cannot be undone by a client and is refused;
 *       {@code synchronous_commit=off} is overridden with {@code SET LOCAL} in raft's transactions.
 *   <li>MariaDB / MySQL: InnoDB flushes its redo log at commit only with {@code
 *       innodb_flush_log_at_trx_commit} 1 (or 3 on MariaDB), a global setting; other values are
 *       refused, and so are raft tables that are not InnoDB.
 * </ul>
 */
final class CommitDurability {

  private static final System.Logger LOG = System.getLogger(JdbcStorage.class.getName());

  private static final Set<String> TABLES = Set.of("raft_cluster_log", "raft_cluster_hard_state", "raft_cluster_snapshot");

  private final boolean checkpointSyncAfterCommit;
  private final boolean synchronousCommitPerTransaction;
  private final boolean postgresql;
  private final String description;

  private CommitDurability(
      boolean checkpointSyncAfterCommit,
      boolean synchronousCommitPerTransaction,
      boolean postgresql,
      String description) {
    this.checkpointSyncAfterCommit = checkpointSyncAfterCommit;
    this.synchronousCommitPerTransaction = synchronousCommitPerTransaction;
    this.postgresql = postgresql;
    this.description = description;
  }

  /**
   * Inspects the database behind {@code connection}. Settings that leave commits unsynced are
   * refused when {@code requireSync} is set and logged as a warning otherwise.
   */
  static CommitDurability inspect(SqlDialect dialect, Connection connection, boolean requireSync)
      throws SQLException {
    List<String> problems = new ArrayList<>();
    CommitDurability result =
        switch (dialect) {
          case H2 -> inspectH2(connection, problems);
          case POSTGRESQL -> inspectPostgresql(connection, problems);
          case MARIADB -> inspectMariadb(connection, problems);
          case GENERIC ->
              new CommitDurability(
                  false,
                  false,
                  false,
                  connection.getMetaData().getDatabaseProductName()
                      + ": not a database raftboot knows; whether its commits are synced to disk"
                      + " was not checked");
        };
    if (!problems.isEmpty()) {
      String message =
          "The raft log database does not sync commits to disk, so a crash could lose writes that"
              + " raft already acknowledged to its peers: "
              + String.join("; ", problems);
      if (requireSync) {
        throw new JdbcStorageException(
            message
                + ". Fix the database setting, or accept the risk with"
                + " raft.storage.jdbc.require-sync=false"
                + " (JdbcStorage.Builder#requireSyncedCommits(false)).");
      }
      LOG.log(System.Logger.Level.WARNING, message);
    }
    return result;
  }

  private static CommitDurability inspectH2(Connection connection, List<String> problems) {
    String url = url(connection);
    if (JdbcUrls.isInMemory(url)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "The raft log is in an in-memory H2 database (" + url + "); nothing survives a restart.");
      return new CommitDurability(false, false, false, "H2 in-memory database: nothing is persisted");
    }
    try (Statement st = connection.createStatement()) {
      st.execute("CHECKPOINT SYNC");
    } catch (SQLException e) {
      problems.add(
          "H2 refused CHECKPOINT SYNC ("
              + e.getMessage()
              + "); it needs a user with admin rights, such as the user that created the database");
      return new CommitDurability(false, false, false, "H2: commits are not synced (no admin rights)");
    }
    return new CommitDurability(
        true,
        false,
        false,
        "H2: CHECKPOINT SYNC after every commit writes the MVStore chunk and fsyncs it");
  }

  private static CommitDurability inspectPostgresql(Connection connection, List<String> problems)
      throws SQLException {
    String fsync = show(connection, "fsync");
    String synchronousCommit = show(connection, "synchronous_commit");
    if ("off".equals(fsync)) {
      problems.add(
          "PostgreSQL runs with fsync=off, which also risks corrupting the database in an"
              + " operating-system crash; set fsync = on in postgresql.conf");
    }
    boolean override = "off".equals(synchronousCommit);
    String description =
        "PostgreSQL: commit waits for the WAL flush (fsync="
            + fsync
            + ", synchronous_commit="
            + synchronousCommit
            + (override ? ", raised to on for raft's transactions with SET LOCAL" : "")
            + ")";
    return new CommitDurability(false, override, true, description);
  }

  private static CommitDurability inspectMariadb(Connection connection, List<String> problems)
      throws SQLException {
    String flush;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@GLOBAL.innodb_flush_log_at_trx_commit")) {
      rs.next();
      flush = rs.getString(1);
    }
    if (!"1".equals(flush) && !"3".equals(flush)) {
      problems.add(
          "innodb_flush_log_at_trx_commit is "
              + flush
              + ", so InnoDB flushes its redo log only about once a second; set"
              + " innodb_flush_log_at_trx_commit=1 in the server configuration");
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT table_name, engine FROM information_schema.tables"
                + " WHERE table_schema = DATABASE()")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString(1).toLowerCase(Locale.ROOT);
          String engine = rs.getString(2);
          if (TABLES.contains(table) && !"InnoDB".equalsIgnoreCase(engine)) {
            problems.add(
                "table "
                    + table
                    + " uses the "
                    + engine
                    + " engine, which is not transactional; convert it with ALTER TABLE "
                    + table
                    + " ENGINE=InnoDB");
          }
        }
      }
    }
    return new CommitDurability(
        false,
        false,
        false,
        "MariaDB/MySQL: InnoDB flushes its redo log at commit (innodb_flush_log_at_trx_commit="
            + flush
            + ")");
  }

  private static String show(Connection connection, String setting) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1).toLowerCase(Locale.ROOT);
    }
  }

  private static String url(Connection connection) {
    try {
      DatabaseMetaData md = connection.getMetaData();
      String url = md.getURL();
      return url == null ? "" : url;
    } catch (SQLException e) {
      return "";
    }
  }

  /**
   * Runs first in each of raft's write transactions; {@code sync} says whether this one must be on
   * disk at commit. An unsynced PostgreSQL commit still lands in the WAL in order, so the next
   * synced commit's flush covers it.
   */
  void beginTransaction(Connection connection, boolean sync) throws SQLException {
    if (sync ? synchronousCommitPerTransaction : postgresql) {
      try (Statement st = connection.createStatement()) {
        st.execute("SET LOCAL synchronous_commit TO " + (sync ? "on" : "off"));
      }
    }
  }

  /**
   * Runs after each commit; when it returns and {@code sync} was set, the commit is on disk. H2
   * writes an unsynced commit with its next chunk; {@code CHECKPOINT SYNC} writes and forces all
   * pending chunks, so a later synced commit covers the unsynced ones before it.
   */
  void afterCommit(Connection connection, boolean sync) throws SQLException {
    if (sync && checkpointSyncAfterCommit) {
      try (Statement st = connection.createStatement()) {
        st.execute("CHECKPOINT SYNC");
      }
    }
  }

  String description() {
    return description;
  }
}
