package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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

  /**
   * Tables created before the checksum column existed get it at start; their rows read unverified
   * and rows written afterwards are verified.
   */
  @Test
  void tablesWithoutTheChecksumColumnGetItAtStart(@TempDir Path oldDir) {
    String oldSchema =
        JdbcStorageSchema.script("h2").replace("  checksum INTEGER,\n", "");
    assertThat(oldSchema).doesNotContain("checksum INTEGER");
    try (HikariDataSource old = TestDatabases.h2File(oldDir)) {
      TestDatabases.runSql(old, oldSchema);
      TestDatabases.runSql(
          old,
          "INSERT INTO raft_cluster_log (cluster_id, node_id, idx, term, type, data) VALUES"
              + " ('raft', 7, 0, 0, NULL, NULL), ('raft', 7, 1, 1, 0, X'6f6c64');"
              + "INSERT INTO raft_cluster_hard_state VALUES ('raft', 7, 1, 7, 1)");
      JdbcStorage storage = JdbcStorage.builder(old, 7).tailCacheEntries(0).build();
      assertThat(storage.entries(1, 2, -1))
          .containsExactly(
              Entry.newBuilder()
                  .setIndex(1)
                  .setTerm(1)
                  .setType(EntryType.EntryNormal)
                  .setData(ByteString.copyFromUtf8("old"))
                  .build());
      storage.save(
          HardState.getDefaultInstance(),
          List.of(Entry.newBuilder().setIndex(2).setTerm(1).build()),
          Snapshot.getDefaultInstance());
      TestDatabases.runSql(
          old, "UPDATE raft_cluster_log SET term = 5 WHERE node_id = 7 AND idx = 2");
      assertThatThrownBy(() -> storage.term(2)).isInstanceOf(StorageCorruptionException.class);
    }
  }

  /**
   * A log of the previous release (no last_idx column, an entry row per entry) gets the column at
   * start, reads as before, and takes run rows after its entry rows; a suffix replaced from one of
   * the old rows and a compaction into a run read back the same after a restart.
   */
  @Test
  void tablesWithoutTheLastIdxColumnGetItAtStartAndMixOldRowsWithRuns(@TempDir Path oldDir) {
    String oldSchema = JdbcStorageSchema.script("h2").replace("  last_idx BIGINT,\n", "");
    assertThat(oldSchema).doesNotContain("last_idx BIGINT");
    try (HikariDataSource old = TestDatabases.h2File(oldDir)) {
      TestDatabases.runSql(old, oldSchema);
      StringBuilder rows = new StringBuilder();
      for (int i = 0; i <= 4; i++) {
        Integer type = i == 0 ? null : 0;
        byte[] data = i == 0 ? null : new byte[] {(byte) i};
        rows.append(i == 0 ? "" : ", ")
            .append("('raft', 7, ")
            .append(i)
            .append(", 1, ")
            .append(type)
            .append(", ")
            .append(data == null ? "NULL" : String.format("X'%02x'", data[0]))
            .append(", ")
            .append(RowChecksum.entry(i, 1, type, data))
            .append(")");
      }
      TestDatabases.runSql(
          old,
          "INSERT INTO raft_cluster_log (cluster_id, node_id, idx, term, type, data, checksum)"
              + " VALUES " + rows + ";"
              + "INSERT INTO raft_cluster_hard_state VALUES ('raft', 7, 1, 7, 4)");
      JdbcStorage storage = JdbcStorage.builder(old, 7).tailCacheEntries(0).build();
      assertThat(storage.lastIndex()).isEqualTo(4);
      assertThat(storage.entries(2, 3, -1).get(0).getData().byteAt(0)).isEqualTo((byte) 2);
      List<Entry> run = new java.util.ArrayList<>();
      for (int i = 4; i <= 9; i++) {
        run.add(
            Entry.newBuilder()
                .setIndex(i)
                .setTerm(2)
                .setType(EntryType.EntryNormal)
                .setData(ByteString.copyFromUtf8("new " + i))
                .build());
      }
      storage.save(HardState.getDefaultInstance(), run, Snapshot.getDefaultInstance());
      JdbcStorage afterSave = JdbcStorage.builder(old, 7).tailCacheEntries(0).build();
      List<Entry> all = afterSave.entries(1, 10, Long.MAX_VALUE);
      assertThat(all).hasSize(9);
      assertThat(all.subList(0, 3))
          .extracting(e -> e.getData().byteAt(0))
          .containsExactly((byte) 1, (byte) 2, (byte) 3);
      assertThat(all.subList(3, 9)).isEqualTo(run);
      afterSave.compact(6);
      JdbcStorage reopened = JdbcStorage.builder(old, 7).tailCacheEntries(0).build();
      assertThat(reopened.firstIndex()).isEqualTo(7);
      assertThat(reopened.term(6)).isEqualTo(2);
      assertThat(reopened.entries(7, 10, -1)).isEqualTo(run.subList(3, 6));
    }
  }

  @Test
  void commitsAreSyncedWithCheckpointSync() {
    assertThat(JdbcStorage.create(dataSource, nodeId).durabilityDescription())
        .contains("CHECKPOINT SYNC");
  }
}
