package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
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
  void commitsFlushTheRedoLog() {
    assertThat(JdbcStorage.create(dataSource, nodeId).durabilityDescription())
        .contains("innodb_flush_log_at_trx_commit=1");
  }
}
