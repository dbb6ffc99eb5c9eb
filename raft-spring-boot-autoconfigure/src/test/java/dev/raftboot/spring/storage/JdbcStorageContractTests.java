package dev.raftboot.spring.storage;

import static dev.raftboot.spring.storage.StorageFixtures.entry;
import static dev.raftboot.spring.storage.StorageFixtures.hardState;
import static dev.raftboot.spring.storage.StorageFixtures.snapshot;
import static dev.raftboot.spring.storage.StorageFixtures.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.InitialState;
import dev.raftboot.UnavailableException;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every database behind {@link JdbcStorage} must do beyond the {@link RaftStorageContractTests
 * storage contract}: entries in the tail cache and below it, checksummed rows and run rows, nodes
 * and clusters sharing a database, and the log raftboot 0.1 left. Subclasses supply the database;
 * each test works on its own node id and removes its rows afterwards, so runs may share a database.
 */
abstract class JdbcStorageContractTests extends RaftStorageContractTests<JdbcStorage> {

  private static final int SMALL_CACHE = 3;

  protected long nodeId;

  /** The database under test, with the raft tables created. */
  protected abstract DataSource dataSource();

  /**
   * Makes the database forget everything that is not on disk, where the test can do that (an
   * embedded database is closed without a final flush); returns the data source to use afterwards.
   */
  protected DataSource crashAndReopen() {
    return dataSource();
  }

  @BeforeEach
  void pickNode() {
    nodeId = TestDatabases.uniqueNodeId();
  }

  @AfterEach
  void removeNode() {
    TestDatabases.deleteNode(dataSource(), nodeId);
  }

  /** A small tail cache, so that the contract's logs reach below it. */
  @Override
  protected JdbcStorage open() {
    return open(SMALL_CACHE);
  }

  private JdbcStorage open(int cacheEntries) {
    return JdbcStorage.builder(dataSource(), nodeId).tailCacheEntries(cacheEntries).build();
  }

  /** Nothing to close: a restarted node is a new storage on the rows the old one left. */
  @Override
  protected JdbcStorage reopen(JdbcStorage storage) {
    return open();
  }

  @Override
  protected JdbcStorage reopenAfterACrash(JdbcStorage storage) {
    return JdbcStorage.create(crashAndReopen(), nodeId);
  }

  @Override
  protected void installSnapshot(JdbcStorage storage, Snapshot snapshot) {
    storage.applySnapshot(snapshot);
  }

  /** Restarts with tail caches from none to more than the log usually holds. */
  @Override
  protected JdbcStorage reopenForRandomOperations(JdbcStorage storage, Random random) {
    return open(new int[] {0, 1, SMALL_CACHE, 16}[random.nextInt(4)]);
  }

  // --- checksums -------------------------------------------------------------------------------

  /** Flips the lowest bit of the first byte of {@code column} in this node's row of {@code table}. */
  private void flipBit(String table, String column, String where) {
    String key = " WHERE cluster_id = 'raft' AND node_id = " + nodeId + where;
    try (java.sql.Connection c = dataSource().getConnection()) {
      byte[] bytes;
      try (java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT " + column + " FROM " + table + key)) {
        assertThat(rs.next()).as("row of " + table + key).isTrue();
        bytes = rs.getBytes(1);
      }
      bytes[0] ^= 1;
      try (java.sql.PreparedStatement ps =
          c.prepareStatement("UPDATE " + table + " SET " + column + " = ?" + key)) {
        ps.setBytes(1, bytes);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void execute(String sql) {
    TestDatabases.runSql(dataSource(), sql);
  }

  /** Six entries saved one by one, so that each has an entry row of its own. */
  private JdbcStorage sixEntries() {
    JdbcStorage storage = open();
    for (Entry e : sixEntryList()) {
      append(storage, e);
    }
    return storage;
  }

  private static List<Entry> sixEntryList() {
    return List.of(
        entry(1, 1, "a"),
        entry(2, 1, "b"),
        entry(3, 1, "c"),
        entry(4, 2, "d"),
        entry(5, 2, "e"),
        entry(6, 2, "f"));
  }

  @Test
  void aChangedEntryBelowTheCacheIsRefusedWhenRead() {
    JdbcStorage storage = sixEntries();
    flipBit("raft_cluster_log", "data", " AND idx = 2");
    assertThat(storage.entries(4, 7, -1)).hasSize(3);
    assertThatThrownBy(() -> storage.entries(1, 7, -1))
        .isInstanceOfSatisfying(
            StorageCorruptionException.class,
            e -> {
              assertThat(e.getNodeId()).isEqualTo(nodeId);
              assertThat(e.getClusterId()).isEqualTo("raft");
              assertThat(e.getTable()).isEqualTo("raft_cluster_log");
              assertThat(e.getIndex()).isEqualTo(2);
              assertThat(e.getMessage())
                  .contains(Long.toUnsignedString(nodeId), "\"raft\"", "raft_cluster_log", "2");
            });
  }

  @Test
  void aChangedTermIsRefusedWhenRead() {
    JdbcStorage storage = sixEntries();
    execute(
        "UPDATE raft_cluster_log SET term = 7 WHERE cluster_id = 'raft' AND node_id = "
            + nodeId
            + " AND idx = 2");
    assertThatThrownBy(() -> storage.term(2)).isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void aChangedEntryInTheTailIsRefusedWhenTheCacheLoads() {
    sixEntries();
    flipBit("raft_cluster_log", "data", " AND idx = 5");
    assertThatThrownBy(this::open)
        .isInstanceOfSatisfying(
            StorageCorruptionException.class, e -> assertThat(e.getIndex()).isEqualTo(5));
  }

  @Test
  void aChangedSnapshotIsRefusedWhenReadAndAtStart() {
    JdbcStorage storage = threeFourFive();
    flipBit("raft_cluster_snapshot", "data", "");
    assertThatThrownBy(storage::snapshot)
        .isInstanceOfSatisfying(
            StorageCorruptionException.class,
            e -> {
              assertThat(e.getTable()).isEqualTo("raft_cluster_snapshot");
              assertThat(e.getIndex()).isEqualTo(3);
            });
    assertThatThrownBy(this::open).isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void theDummyRowKeepsAValidChecksumAfterCompaction() {
    JdbcStorage storage = sixEntries();
    storage.compact(3);
    JdbcStorage reopened = open();
    assertThat(reopened.term(3)).isEqualTo(1);
    execute(
        "UPDATE raft_cluster_log SET term = 9 WHERE cluster_id = 'raft' AND node_id = "
            + nodeId
            + " AND idx = 3");
    assertThatThrownBy(this::open).isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void rowsWithoutAChecksumAreReadUnverified() {
    JdbcStorage storage = threeFourFive();
    // one save per entry: entry rows, the only kind older versions wrote without a checksum
    append(storage, entry(6, 5, "x"));
    append(storage, entry(7, 5, "y"));
    append(storage, entry(8, 5, "z"));
    String node = " WHERE cluster_id = 'raft' AND node_id = " + nodeId;
    execute("UPDATE raft_cluster_log SET checksum = NULL" + node);
    execute("UPDATE raft_cluster_snapshot SET checksum = NULL" + node);
    flipBit("raft_cluster_log", "data", " AND idx = 6");
    flipBit("raft_cluster_snapshot", "data", "");
    JdbcStorage reopened = open();
    assertThat(reopened.entries(6, 9, -1)).hasSize(3);
    assertThat(reopened.entries(6, 7, -1).get(0).getData().toStringUtf8()).isEqualTo("y");
    assertThat(reopened.snapshot().getMetadata().getIndex()).isEqualTo(3);
  }

  // --- run rows --------------------------------------------------------------------------------

  /** The (idx, last_idx) of this node's log rows in order; last_idx is null for an entry row. */
  private List<List<Long>> rows() {
    List<List<Long>> rows = new ArrayList<>();
    try (java.sql.Connection c = dataSource().getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT idx, last_idx FROM raft_cluster_log WHERE cluster_id = 'raft'"
                    + " AND node_id = ? ORDER BY idx")) {
      ps.setLong(1, nodeId);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long idx = rs.getLong(1);
          long last = rs.getLong(2);
          rows.add(rs.wasNull() ? java.util.Arrays.asList(idx, null) : List.of(idx, last));
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  private static List<Long> entryRow(long index) {
    return java.util.Arrays.asList(index, null);
  }

  /** Entries {@code from..to} of term {@code term} with data naming index and term. */
  private static List<Entry> run(long from, long to, long term) {
    List<Entry> entries = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      entries.add(entry(i, term, i + "@" + term));
    }
    return entries;
  }

  private void save(JdbcStorage storage, List<Entry> entries) {
    storage.save(hardState(1, 1, 0), entries, Snapshot.getDefaultInstance());
  }

  /** What a restarted node without a tail cache reads back: every entry and term from the database. */
  private void assertLogIs(long dummyIndex, long dummyTerm, List<Entry> expected) {
    JdbcStorage reopened = open(0);
    long last = dummyIndex + expected.size();
    assertThat(reopened.firstIndex()).isEqualTo(dummyIndex + 1);
    assertThat(reopened.lastIndex()).isEqualTo(last);
    assertThat(reopened.term(dummyIndex)).isEqualTo(dummyTerm);
    for (int i = 0; i < expected.size(); i++) {
      Entry e = expected.get(i);
      assertThat(reopened.term(e.getIndex())).as("term(%d)", e.getIndex()).isEqualTo(e.getTerm());
      assertThat(reopened.entries(e.getIndex(), last + 1, Long.MAX_VALUE))
          .as("entries from %d", e.getIndex())
          .isEqualTo(expected.subList(i, expected.size()));
    }
  }

  @Test
  void oneSaveOfManyEntriesIsOneRunRow() {
    JdbcStorage storage = open();
    List<Entry> entries = run(1, 256, 1);
    save(storage, entries);
    assertThat(rows()).containsExactly(entryRow(0), List.of(1L, 256L));
    assertThat(storage.entries(1, 257, Long.MAX_VALUE)).isEqualTo(entries);
    assertLogIs(0, 0, entries);
  }

  @Test
  void entriesWithAbsentFieldsComeBackFromARunUnchanged() {
    JdbcStorage storage = open();
    List<Entry> entries =
        List.of(
            entry(1, 1),
            Entry.newBuilder().setIndex(2).setTerm(1).setType(EntryType.EntryConfChange).build(),
            Entry.newBuilder().setIndex(3).setTerm(2).setData(ByteString.EMPTY).build(),
            entry(4, 2, "d"));
    save(storage, entries);
    assertThat(rows()).hasSize(2);
    JdbcStorage reopened = open(0);
    List<Entry> read = reopened.entries(1, 5, Long.MAX_VALUE);
    assertThat(read).isEqualTo(entries);
    assertThat(read.get(0).hasType()).isFalse();
    assertThat(read.get(2).hasData()).isTrue();
    assertThat(read.get(1).hasData()).isFalse();
  }

  @Test
  void aSaveBeyondTheRunLimitIsSplitIntoRuns() {
    JdbcStorage storage = open();
    List<Entry> entries = run(1, 2 * EntryRuns.MAX_ENTRIES + 1, 1);
    save(storage, entries);
    long m = EntryRuns.MAX_ENTRIES;
    assertThat(rows())
        .containsExactly(
            entryRow(0), List.of(1L, m), List.of(m + 1, 2 * m), entryRow(2 * m + 1));
    JdbcStorage reopened = open(0);
    assertThat(reopened.entries(m - 1, m + 3, Long.MAX_VALUE))
        .isEqualTo(entries.subList((int) m - 2, (int) m + 2));
    assertThat(reopened.entries(1, 2 * m + 2, Long.MAX_VALUE)).isEqualTo(entries);
    assertThat(reopened.term(2 * m)).isEqualTo(1);
  }

  @Test
  void aSuffixReplacedInsideARunKeepsTheRunsPrefix() {
    JdbcStorage storage = open();
    save(storage, run(1, 10, 1));
    save(storage, run(6, 8, 2));
    List<Entry> expected = new ArrayList<>(run(1, 5, 1));
    expected.addAll(run(6, 8, 2));
    assertThat(storage.entries(1, 9, Long.MAX_VALUE)).isEqualTo(expected);
    assertThat(rows()).containsExactly(entryRow(0), List.of(1L, 8L));
    assertLogIs(0, 0, expected);
  }

  @Test
  void aSuffixReplacedAtARunsFirstEntryDropsTheWholeRun() {
    JdbcStorage storage = open();
    save(storage, run(1, 3, 1));
    save(storage, run(4, 9, 1));
    save(storage, run(4, 5, 3));
    List<Entry> expected = new ArrayList<>(run(1, 3, 1));
    expected.addAll(run(4, 5, 3));
    assertThat(rows()).containsExactly(entryRow(0), List.of(1L, 3L), List.of(4L, 5L));
    assertLogIs(0, 0, expected);
  }

  @Test
  void aRunCutDownToOneEntryBecomesAnEntryRow() {
    JdbcStorage storage = open();
    save(storage, run(1, 6, 1));
    save(storage, List.of(entry(2, 2, "new")));
    assertThat(rows()).containsExactly(entryRow(0), List.of(1L, 2L));
    assertLogIs(0, 0, List.of(entry(1, 1, "1@1"), entry(2, 2, "new")));
    storage.compact(1);
    assertThat(rows()).containsExactly(entryRow(1), entryRow(2));
    assertLogIs(1, 1, List.of(entry(2, 2, "new")));
  }

  @Test
  void compactionInsideARunKeepsTheEntriesAboveIt() {
    JdbcStorage storage = open();
    save(storage, run(1, 10, 1));
    save(storage, run(11, 20, 2));
    storage.compact(4);
    assertThat(rows()).containsExactly(entryRow(4), List.of(5L, 10L), List.of(11L, 20L));
    List<Entry> expected = new ArrayList<>(run(5, 10, 1));
    expected.addAll(run(11, 20, 2));
    assertLogIs(4, 1, expected);
    JdbcStorage reopened = open(0);
    reopened.compact(19);
    assertThat(rows()).containsExactly(entryRow(19), entryRow(20));
    assertLogIs(19, 2, run(20, 20, 2));
    open(0).compact(20);
    assertThat(rows()).containsExactly(entryRow(20));
    assertLogIs(20, 2, List.of());
  }

  @Test
  void compactionAtARunsLastEntryDropsTheRun() {
    JdbcStorage storage = open();
    save(storage, run(1, 5, 1));
    save(storage, run(6, 9, 1));
    storage.compact(5);
    assertThat(rows()).containsExactly(entryRow(5), List.of(6L, 9L));
    assertLogIs(5, 1, run(6, 9, 1));
  }

  @Test
  void entryRowsAndRunRowsMix() {
    JdbcStorage storage = open();
    List<Entry> expected = new ArrayList<>();
    for (Entry e : run(1, 3, 1)) {
      append(storage, e); // entry rows, as a log written one entry per save, or by 0.2
    }
    expected.addAll(run(1, 3, 1));
    save(storage, run(4, 9, 1));
    expected.addAll(run(4, 9, 1));
    save(storage, run(10, 10, 1));
    expected.addAll(run(10, 10, 1));
    save(storage, run(11, 14, 1));
    expected.addAll(run(11, 14, 1));
    assertThat(rows())
        .containsExactly(
            entryRow(0), entryRow(1), entryRow(2), entryRow(3), List.of(4L, 9L), entryRow(10),
            List.of(11L, 14L));
    assertLogIs(0, 0, expected);
    open(0).compact(2);
    assertLogIs(2, 1, expected.subList(2, expected.size()));
    JdbcStorage reopened = open(0);
    save(reopened, run(7, 12, 2));
    List<Entry> replaced = new ArrayList<>(expected.subList(2, 6));
    replaced.addAll(run(7, 12, 2));
    assertLogIs(2, 1, replaced);
    open(0).compact(8);
    assertLogIs(8, 2, replaced.subList(6, replaced.size()));
  }

  @Test
  void aChangedRunIsRefusedWhenReadAndAtStart() {
    JdbcStorage storage = open(SMALL_CACHE);
    save(storage, sixEntryList());
    flipBit("raft_cluster_log", "data", " AND idx = 1");
    assertThat(storage.entries(4, 7, -1)).hasSize(3);
    assertThatThrownBy(() -> storage.entries(2, 3, -1))
        .isInstanceOfSatisfying(
            StorageCorruptionException.class, e -> assertThat(e.getIndex()).isEqualTo(1));
    assertThatThrownBy(() -> storage.term(2)).isInstanceOf(StorageCorruptionException.class);
    assertThatThrownBy(this::open).isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void aRunWithAChangedRangeIsRefused() {
    JdbcStorage storage = open(0);
    save(storage, sixEntryList());
    save(storage, run(7, 8, 3));
    execute(
        "UPDATE raft_cluster_log SET last_idx = 5 WHERE cluster_id = 'raft' AND node_id = "
            + nodeId
            + " AND idx = 1");
    assertThatThrownBy(() -> storage.term(3)).isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void aRunWithoutAChecksumIsRefused() {
    JdbcStorage storage = open(0);
    save(storage, sixEntryList());
    execute(
        "UPDATE raft_cluster_log SET checksum = NULL WHERE cluster_id = 'raft' AND node_id = "
            + nodeId
            + " AND idx = 1");
    assertThatThrownBy(() -> storage.entries(1, 2, -1))
        .isInstanceOf(StorageCorruptionException.class);
  }

  // --- the tail cache --------------------------------------------------------------------------

  @Test
  void readsBelowTheTailCacheComeFromTheDatabase() {
    JdbcStorage storage = open(2);
    List<Entry> all = new ArrayList<>();
    for (long i = 1; i <= 40; i++) {
      all.add(entry(i, 1 + i / 10, "payload " + i));
    }
    storage.save(hardState(4, 1, 40), all, Snapshot.getDefaultInstance());
    assertThat(storage.entries(1, 41, -1)).isEqualTo(all);
    assertThat(storage.entries(5, 41, -1)).isEqualTo(all.subList(4, 40));
    for (long i = 1; i <= 40; i++) {
      assertThat(storage.term(i)).isEqualTo(1 + i / 10);
    }
    long three = 0;
    for (int i = 36; i < 39; i++) {
      three += all.get(i).getSerializedSize();
    }
    // the limit falls in the cached part, and in the part read with SQL
    assertThat(storage.entries(37, 41, three)).isEqualTo(all.subList(36, 39));
    assertThat(storage.entries(2, 41, three)).isEqualTo(all.subList(1, 4));
    JdbcStorage uncached = open(0);
    assertThat(uncached.entries(1, 41, -1)).isEqualTo(all);
    assertThat(uncached.term(40)).isEqualTo(5);
  }

  @Test
  void appendTruncatesBelowTheCacheAndDropsTheLongerTail() {
    JdbcStorage storage = open(2);
    for (long i = 1; i <= 10; i++) {
      append(storage, entry(i, 1));
    }
    append(storage, entry(4, 2), entry(5, 2));
    assertThat(storage.lastIndex()).isEqualTo(5);
    assertThat(storage.entries(1, 6, -1))
        .containsExactly(entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 2), entry(5, 2));
    assertThatThrownBy(() -> storage.term(6)).isSameAs(UnavailableException.INSTANCE);
    JdbcStorage reopened = open(2);
    assertThat(reopened.lastIndex()).isEqualTo(5);
    assertThat(reopened.term(5)).isEqualTo(2);
  }

  @Test
  void compactionWorksBelowTheTailCache() {
    JdbcStorage storage = open(2);
    for (long i = 1; i <= 8; i++) {
      append(storage, entry(i, i));
    }
    storage.compact(3);
    assertThat(storage.term(3)).isEqualTo(3);
    assertThat(storage.entries(4, 9, -1)).hasSize(5);
    storage.compact(7);
    assertThat(storage.term(7)).isEqualTo(7);
    assertThat(storage.entries(8, 9, -1)).containsExactly(entry(8, 8));
  }

  // --- nodes sharing a database ----------------------------------------------------------------

  @Test
  void nodesSharingADatabaseDoNotSeeEachOther() {
    JdbcStorage storage = threeFourFive();
    long other = TestDatabases.uniqueNodeId();
    try {
      JdbcStorage neighbour = JdbcStorage.create(dataSource(), other);
      neighbour.save(
          hardState(1, 1, 0), List.of(entry(1, 1), entry(2, 1)), Snapshot.getDefaultInstance());
      neighbour.compact(1);
      assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 4), entry(5, 5));
      assertThat(open().initialState().hardState()).isEqualTo(HardState.getDefaultInstance());
      assertThat(JdbcStorage.create(dataSource(), other).entries(2, 3, -1))
          .containsExactly(entry(2, 1));
    } finally {
      TestDatabases.deleteNode(dataSource(), other);
    }
  }

  // --- cluster ids ---------------------------------------------------------------------------------

  @Test
  void clustersSharingADatabaseKeepSeparateLogsForTheSameNodeId() {
    JdbcStorage first = JdbcStorage.builder(dataSource(), nodeId).clusterId("orders").build();
    first.save(hardState(3, 1, 2), List.of(entry(1, 1, "a"), entry(2, 3, "b")), Snapshot.getDefaultInstance());
    JdbcStorage second = JdbcStorage.builder(dataSource(), nodeId).clusterId("billing").build();
    assertThat(second.lastIndex()).isZero();
    assertThat(second.initialState().hardState()).isEqualTo(HardState.getDefaultInstance());
    second.save(hardState(1, 0, 0), List.of(entry(1, 1, "x")), Snapshot.getDefaultInstance());
    JdbcStorage reopened = JdbcStorage.builder(dataSource(), nodeId).clusterId("orders").build();
    assertThat(reopened.clusterId()).isEqualTo("orders");
    assertThat(reopened.initialState().hardState()).isEqualTo(hardState(3, 1, 2));
    assertThat(reopened.entries(1, 3, -1)).containsExactly(entry(1, 1, "a"), entry(2, 3, "b"));
  }

  @Test
  void ownDatabaseRefusesTheLogOfAnotherClusterAndKeepsIt() {
    JdbcStorage.builder(dataSource(), nodeId)
        .clusterId("orders")
        .build()
        .save(hardState(3, 1, 1), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    assertThatThrownBy(
            () ->
                JdbcStorage.builder(dataSource(), nodeId)
                    .clusterId("billing")
                    .singleCluster(true)
                    .build())
        .isInstanceOf(ClusterLogMismatchException.class)
        .hasMessageContaining("[orders]")
        .hasMessageContaining("\"billing\" (raft.cluster-id)")
        .hasMessageContaining("set raft.cluster-id");
    JdbcStorage orders = JdbcStorage.builder(dataSource(), nodeId).clusterId("orders").build();
    assertThat(orders.entries(1, 2, -1)).containsExactly(entry(1, 1, "a"));
  }

  @Test
  void logWithoutClusterIdIsRefusedAndLeftAlone() {
    writeLegacyLog();
    assertThatThrownBy(() -> JdbcStorage.builder(dataSource(), nodeId).clusterId("orders").build())
        .isInstanceOf(ClusterLogMismatchException.class)
        .hasMessageContaining("written by raftboot 0.1")
        .hasMessageContaining("raft.storage.jdbc.legacy-log-cluster-id=orders")
        .hasMessageContaining("DELETE FROM raft_log WHERE node_id = " + nodeId);
    assertThatThrownBy(
            () ->
                JdbcStorage.builder(dataSource(), nodeId)
                    .clusterId("orders")
                    .legacyLogClusterId("billing")
                    .build())
        .isInstanceOf(ClusterLogMismatchException.class)
        .hasMessageContaining("legacy-log-cluster-id names \"billing\"");
    JdbcStorage moved =
        JdbcStorage.builder(dataSource(), nodeId)
            .clusterId("billing")
            .legacyLogClusterId("billing")
            .build();
    assertThat(moved.lastIndex()).isEqualTo(3);
  }

  @Test
  void logWithoutClusterIdMovesToTheClusterTheOperatorNames() {
    writeLegacyLog();
    JdbcStorage moved =
        JdbcStorage.builder(dataSource(), nodeId)
            .clusterId("orders")
            .legacyLogClusterId("orders")
            .build();
    assertThat(moved.initialState())
        .isEqualTo(new InitialState(hardState(4, 2, 3), voters(1, 2, 3)));
    assertThat(moved.firstIndex()).isEqualTo(3);
    assertThat(moved.entries(3, 4, -1)).containsExactly(entry(3, 4, "c"));
    assertThat(moved.snapshot().getData().toStringUtf8()).isEqualTo("state at 2");
    // Moved, not copied: the old rows are gone, and the next start needs no legacy setting.
    JdbcStorage reopened = JdbcStorage.builder(dataSource(), nodeId).clusterId("orders").build();
    assertThat(reopened.lastIndex()).isEqualTo(3);
    assertThat(JdbcStorage.builder(dataSource(), nodeId).clusterId("billing").build().lastIndex())
        .isZero();
  }

  /**
   * The log raftboot 0.1 left for this node: snapshot at 2 (voters 1, 2, 3), the compaction row at
   * 2 and entry 3, hard state term 4, vote 2, commit 3.
   */
  private void writeLegacyLog() {
    TestDatabases.createLegacySchema(dataSource());
    try (java.sql.Connection c = dataSource().getConnection();
        java.sql.PreparedStatement log =
            c.prepareStatement("INSERT INTO raft_log (node_id, idx, term, type, data) VALUES (?, ?, ?, ?, ?)");
        java.sql.PreparedStatement hard =
            c.prepareStatement(
                "INSERT INTO raft_hard_state (node_id, term, vote, commit_idx) VALUES (?, 4, 2, 3)");
        java.sql.PreparedStatement snap =
            c.prepareStatement(
                "INSERT INTO raft_snapshot (node_id, idx, term, conf_state, data) VALUES (?, 2, 2, ?, ?)")) {
      log.setLong(1, nodeId);
      log.setLong(2, 2);
      log.setLong(3, 2);
      log.setNull(4, java.sql.Types.SMALLINT);
      log.setNull(5, java.sql.Types.VARBINARY);
      log.executeUpdate();
      log.setLong(2, 3);
      log.setLong(3, 4);
      log.setShort(4, (short) EntryType.EntryNormal.getNumber());
      log.setBytes(5, "c".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      log.executeUpdate();
      hard.setLong(1, nodeId);
      hard.executeUpdate();
      snap.setLong(1, nodeId);
      snap.setBytes(2, voters(1, 2, 3).toByteArray());
      snap.setBytes(3, "state at 2".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      snap.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
