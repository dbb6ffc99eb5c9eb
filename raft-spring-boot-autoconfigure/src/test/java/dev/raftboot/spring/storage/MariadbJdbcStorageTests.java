package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on MariaDB; skipped when no server answers at {@code RAFT_TEST_MARIADB_URL}
 * (default {@code jdbc:mariadb://127.0.0.1:3306/test}, user {@code root} without password).
 */
class MariadbJdbcStorageTests extends JdbcStorageContractTests {

  private static HikariDataSource dataSource;

  @BeforeAll
  static void openDatabase() {
    dataSource = TestDatabases.mariadbOrSkip();
    TestDatabases.createSchema(dataSource);
  }

  @AfterAll
  static void closeDatabase() {
    if (dataSource != null) {
      dataSource.close();
    }
  }

  @Override
  protected DataSource dataSource() {
    return dataSource;
  }

  @Test
  void refusesRaftTablesThatAreNotInnodb() throws SQLException {
    String database = "raft_myisam_" + Long.toHexString(nodeId);
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    }
    try (HikariDataSource other =
        TestDatabases.pool(
            TestDatabases.withDatabase(TestDatabases.MARIADB_URL, database),
            TestDatabases.MARIADB_USER,
            TestDatabases.MARIADB_PASSWORD)) {
      try (Connection c = other.getConnection();
          Statement st = c.createStatement()) {
        String script =
            JdbcStorageSchema.script("mariadb").replace("ENGINE=InnoDB", "ENGINE=MyISAM");
        for (String statement : JdbcStorageSchema.statements(script)) {
          st.execute(statement);
        }
      }
      assertThatThrownBy(() -> JdbcStorage.create(other, nodeId))
          .isInstanceOf(JdbcStorageException.class)
          .hasMessageContaining("table raft_cluster_log uses the MyISAM engine, which is not transactional")
          .hasMessageContaining("ALTER TABLE raft_cluster_log ENGINE=InnoDB");
    } finally {
      try (Connection c = dataSource.getConnection();
          Statement st = c.createStatement()) {
        st.execute("DROP DATABASE " + database);
      }
    }
  }

  @Test
  void commitsFlushTheRedoLog() {
    assertThat(JdbcStorage.create(dataSource, nodeId).durabilityDescription())
        .contains("innodb_flush_log_at_trx_commit=1");
  }
}
