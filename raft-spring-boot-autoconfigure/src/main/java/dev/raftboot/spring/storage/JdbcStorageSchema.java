package dev.raftboot.spring.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The tables of {@link JdbcStorage}: where their scripts are and how to create them without Spring.
 * In a Spring Boot application they are created by Boot's database initialization (see {@code
 * raft.storage.jdbc.initialize-schema}); this class is for programs and tests that hand a {@link
 * DataSource} to {@link JdbcStorage} directly.
 */
public final class JdbcStorageSchema {

  /**
   * Location of the schema scripts, with Spring Boot's {@code @@platform@@} placeholder for {@code
   * h2}, {@code postgresql} or {@code mariadb} (MySQL uses the MariaDB script).
   */
  public static final String SCHEMA_LOCATION =
      "classpath:dev/raftboot/spring/storage/schema-@@platform@@.sql";

  private static final String RESOURCE_PATTERN = "dev/raftboot/spring/storage/schema-%s.sql";

  private JdbcStorageSchema() {}

  /**
   * The script platform of the database behind {@code dataSource}: {@code h2}, {@code postgresql}
   * or {@code mariadb}.
   *
   * @throws IllegalStateException for a database without a script
   */
  public static String platform(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      String product = c.getMetaData().getDatabaseProductName();
      String platform = SqlDialect.ofProductName(product).platform();
      if (platform == null) {
        throw new IllegalStateException(
            "raftboot has no schema script for "
                + product
                + "; create the tables raft_cluster_log, raft_cluster_hard_state and"
                + " raft_cluster_snapshot yourself,"
                + " modelled on the PostgreSQL script at "
                + String.format(RESOURCE_PATTERN, "postgresql"));
      }
      return platform;
    } catch (SQLException e) {
      throw new JdbcStorageException("Could not connect to find out the database type", e);
    }
  }

  /**
   * Creates the tables that do not exist yet, using the script for the database's platform. Safe to
   * run at every start.
   */
  public static void create(DataSource dataSource) {
    String script = script(platform(dataSource));
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      for (String statement : statements(script)) {
        st.execute(statement);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw new JdbcStorageException("Could not create the raft tables: " + e.getMessage(), e);
    }
  }

  /** Columns added after the first release: table, column, type. */
  private static final String[][] ADDED_COLUMNS = {
    {"raft_cluster_log", "checksum", "INTEGER"},
    {"raft_cluster_snapshot", "checksum", "INTEGER"},
    {"raft_cluster_log", "last_idx", "BIGINT"},
  };

  /**
   * Adds the nullable columns that tables created by older versions lack: {@code checksum} (their
   * old rows stay readable, unverified) and {@code last_idx} (their rows are entry rows, which is
   * what NULL there means). A database that refuses the change stops the storage with the
   * statement the operator can run instead.
   */
  static void addMissingColumns(Connection c) throws SQLException {
    for (String[] added : ADDED_COLUMNS) {
      String table = added[0];
      String column = added[1];
      if (hasColumn(c, table, column)) {
        continue;
      }
      // Throws, with the storage's "do the tables exist?" hint, when the table itself is missing.
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT idx FROM " + table + " WHERE 1 = 0")) {
        rs.next();
      }
      String alter = "ALTER TABLE " + table + " ADD COLUMN " + column + " " + added[2];
      try (Statement st = c.createStatement()) {
        st.execute(alter);
        if (!c.getAutoCommit()) {
          c.commit();
        }
      } catch (SQLException e) {
        // Another node sharing the database may have added it at the same moment.
        if (!hasColumn(c, table, column)) {
          throw new JdbcStorageException(
              "The table "
                  + table
                  + " has no "
                  + column
                  + " column and it could not be added ("
                  + e.getMessage()
                  + "); run "
                  + alter
                  + " as a user allowed to change the table",
              e);
        }
      }
      System.getLogger(JdbcStorage.class.getName())
          .log(System.Logger.Level.INFO, "Added the {0} column to {1}", column, table);
    }
  }

  private static boolean hasColumn(Connection c, String table, String column)
      throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + column + " FROM " + table + " WHERE 1 = 0")) {
      rs.next();
      return true;
    } catch (SQLException e) {
      if (!c.getAutoCommit()) {
        // PostgreSQL refuses every further statement of a transaction after a failed one.
        c.rollback();
      }
      return false;
    }
  }

  /** The text of the schema script for {@code platform}. */
  public static String script(String platform) {
    String resource = String.format(RESOURCE_PATTERN, platform);
    try (InputStream in = JdbcStorageSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("No raft schema script for platform " + platform);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Splits a script of ours into statements: {@code --} comments dropped, split at {@code ;}. */
  static List<String> statements(String script) {
    StringBuilder text = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      int comment = line.indexOf("--");
      text.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
    }
    List<String> statements = new ArrayList<>();
    for (String part : text.toString().split(";")) {
      String statement = part.strip();
      if (!statement.isEmpty()) {
        statements.add(statement);
      }
    }
    return statements;
  }
}
