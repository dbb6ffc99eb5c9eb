package dev.raftboot.spring.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the storage tests run against: an H2 file database always, PostgreSQL and MariaDB
 * when a server answers. Set {@code RAFT_TEST_REQUIRE_DATABASES=true} to make an unreachable server
 * a failure instead of a skip.
 */
public final class TestDatabases {

  public static final String POSTGRES_URL =
      env("RAFT_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String POSTGRES_USER = env("RAFT_TEST_POSTGRES_USER", "postgres");
  public static final String POSTGRES_PASSWORD = env("RAFT_TEST_POSTGRES_PASSWORD", "");

  public static final String MARIADB_URL =
      env("RAFT_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test");
  public static final String MARIADB_USER = env("RAFT_TEST_MARIADB_USER", "root");
  public static final String MARIADB_PASSWORD = env("RAFT_TEST_MARIADB_PASSWORD", "");

  private TestDatabases() {}

  public static HikariDataSource h2File(Path dir) {
    return pool(
        "jdbc:h2:file:" + dir.toAbsolutePath().resolve("raft") + ";DB_CLOSE_ON_EXIT=FALSE",
        "sa",
        "");
  }

  /** A pool on the PostgreSQL test server, or the test is skipped (see the class comment). */
  public static HikariDataSource postgresqlOrSkip() {
    requireReachable(
        "PostgreSQL",
        POSTGRES_URL,
        POSTGRES_USER,
        POSTGRES_PASSWORD,
        "RAFT_TEST_POSTGRES_URL, RAFT_TEST_POSTGRES_USER and RAFT_TEST_POSTGRES_PASSWORD");
    return pool(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD);
  }

  /** A pool on the MariaDB test server, or the test is skipped (see the class comment). */
  public static HikariDataSource mariadbOrSkip() {
    requireReachable(
        "MariaDB",
        MARIADB_URL,
        MARIADB_USER,
        MARIADB_PASSWORD,
        "RAFT_TEST_MARIADB_URL, RAFT_TEST_MARIADB_USER and RAFT_TEST_MARIADB_PASSWORD");
    return pool(MARIADB_URL, MARIADB_USER, MARIADB_PASSWORD);
  }

  /** The URL of another database on the same server as {@code url}. */
  public static String withDatabase(String url, String database) {
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String params = query < 0 ? "" : url.substring(query);
    return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
  }

  /** Whether the PostgreSQL test server answers. */
  public static boolean postgresqlReachable() {
    return reachable(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD) == null;
  }

  /** A node id no other test run is likely to use, so runs can share one database. */
  public static long uniqueNodeId() {
    return ThreadLocalRandom.current().nextLong(1L << 32, Long.MAX_VALUE);
  }

  /**
   * Deletes every row of {@code nodeId}, in every cluster, from the raft tables and from the tables
   * of raftboot 0.1 where they exist.
   */
  public static void deleteNode(DataSource dataSource, long nodeId) {
    try (Connection c = dataSource.getConnection()) {
      for (String table :
          new String[] {"raft_cluster_log", "raft_cluster_hard_state", "raft_cluster_snapshot"}) {
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM " + table + " WHERE node_id = ?")) {
          ps.setLong(1, nodeId);
          ps.executeUpdate();
        }
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    for (String delete : JdbcStorageSchema.statements(LegacyLog.deleteStatements(nodeId))) {
      try (Connection c = dataSource.getConnection();
          Statement st = c.createStatement()) {
        st.executeUpdate(delete);
        if (!c.getAutoCommit()) {
          c.commit();
        }
      } catch (SQLException e) {
        // The database has no tables of raftboot 0.1.
      }
    }
  }

  /** Creates the tables of raftboot 0.1 where they are missing (the test resource legacy/...). */
  public static void createLegacySchema(DataSource dataSource) {
    String resource = "legacy/schema-0.1-" + JdbcStorageSchema.platform(dataSource) + ".sql";
    try (InputStream in = TestDatabases.class.getClassLoader().getResourceAsStream(resource)) {
      runSql(dataSource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the {@code ;}-separated statements of {@code script} in one transaction. */
  public static void runSql(DataSource dataSource, String script) {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      for (String statement : JdbcStorageSchema.statements(script)) {
        st.execute(statement);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Creates the raft tables; retried because two test JVMs creating them at once on PostgreSQL may
   * collide on the catalog even with IF NOT EXISTS.
   */
  public static void createSchema(DataSource dataSource) {
    for (int attempt = 1; ; attempt++) {
      try {
        JdbcStorageSchema.create(dataSource);
        return;
      } catch (JdbcStorageException e) {
        if (attempt == 3) {
          throw e;
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** A small Hikari pool. */
  public static HikariDataSource pool(String url, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    config.setPoolName("raft-test");
    return new HikariDataSource(config);
  }

  private static void requireReachable(
      String what, String url, String user, String password, String variables) {
    String problem = reachable(url, user, password);
    if (problem == null) {
      return;
    }
    String message =
        what
            + " is not reachable at "
            + url
            + " as "
            + user
            + " ("
            + problem
            + "); start one there or point the test at a server with "
            + variables;
    if (Boolean.parseBoolean(env("RAFT_TEST_REQUIRE_DATABASES", "false"))) {
      throw new IllegalStateException(message);
    }
    Assumptions.abort(message);
  }

  private static String reachable(String url, String user, String password) {
    DriverManager.setLoginTimeout(3);
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      return c.isValid(3) ? null : "connection not valid";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
