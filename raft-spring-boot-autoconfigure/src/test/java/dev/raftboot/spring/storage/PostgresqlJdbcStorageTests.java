package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;
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
  void synchronousCommitOffIsRaisedForRaftsTransactions() {
    String url =
        TestDatabases.POSTGRES_URL
            + (TestDatabases.POSTGRES_URL.contains("?") ? "&" : "?")
            + "options=-c%20synchronous_commit%3Doff";
    try (HikariDataSource async =
        TestDatabases.pool(url, TestDatabases.POSTGRES_USER, TestDatabases.POSTGRES_PASSWORD)) {
      JdbcStorage storage = JdbcStorage.create(async, nodeId);
      assertThat(storage.durabilityDescription())
          .contains("synchronous_commit=off")
          .contains("raised to on for raft's transactions");
      storage.save(
          HardState.newBuilder().setTerm(1).setVote(1).setCommit(0).build(),
          List.of(Entry.newBuilder().setIndex(1).setTerm(1).build()),
          Snapshot.getDefaultInstance());
      assertThat(JdbcStorage.create(dataSource, nodeId).lastIndex()).isEqualTo(1);
    }
  }

  @Test
  void commitsWaitForTheWalFlush() {
    assertThat(JdbcStorage.create(dataSource, nodeId).durabilityDescription())
        .contains("fsync=on")
        .contains("synchronous_commit=on");
  }
}
