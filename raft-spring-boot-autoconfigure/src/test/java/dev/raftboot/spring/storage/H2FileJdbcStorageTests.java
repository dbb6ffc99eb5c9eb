package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on an embedded H2 file database, the default raft log. */
class H2FileJdbcStorageTests extends JdbcStorageContractTests {

  @TempDir static Path dir;

  private static HikariDataSource dataSource;

  @BeforeAll
  static void openDatabase() {
    dataSource = TestDatabases.h2File(dir);
    TestDatabases.createSchema(dataSource);
  }

  @AfterAll
  static void closeDatabase() {
    dataSource.close();
  }

  @Override
  protected DataSource dataSource() {
    return dataSource;
  }

  /**
   * Closes H2 with SHUTDOWN IMMEDIATELY, which drops whatever the MVStore has not written to the
   * file, as a killed process would; then opens the file again.
   */
  @Override
  protected DataSource crashAndReopen() {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      st.execute("SHUTDOWN IMMEDIATELY");
    } catch (SQLException e) {
      // the connection dies with the database
    }
    dataSource.close();
    dataSource = TestDatabases.h2File(dir);
    return dataSource;
  }

  @Test
  void commitsAreSyncedWithCheckpointSync() {
    assertThat(JdbcStorage.create(dataSource, nodeId).durabilityDescription())
        .contains("CHECKPOINT SYNC");
  }
}
