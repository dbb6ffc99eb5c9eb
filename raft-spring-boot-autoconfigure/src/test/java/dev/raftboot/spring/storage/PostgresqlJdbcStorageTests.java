package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on PostgreSQL; skipped when no server answers at {@code
 * RAFT_TEST_POSTGRES_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}, user {@code
 * postgres}).
 */
class PostgresqlJdbcStorageTests extends JdbcStorageContractTests {

  private static HikariDataSource dataSource;

  @BeforeAll
  static void openDatabase() {
    dataSource = TestDatabases.postgresqlOrSkip();
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
  void commitsWaitForTheWalFlush() {
    assertThat(JdbcStorage.create(dataSource, nodeId).durabilityDescription())
        .contains("fsync=on")
        .contains("synchronous_commit=on");
  }
}
