package dev.raftboot.spring.storage;

import static dev.raftboot.spring.storage.StorageFixtures.compare;
import static dev.raftboot.spring.storage.StorageFixtures.entry;
import static dev.raftboot.spring.storage.StorageFixtures.hardState;
import static dev.raftboot.spring.storage.StorageFixtures.outcome;
import static dev.raftboot.spring.storage.StorageFixtures.randomEntries;
import static dev.raftboot.spring.storage.StorageFixtures.randomSnapshot;
import static dev.raftboot.spring.storage.StorageFixtures.same;
import static dev.raftboot.spring.storage.StorageFixtures.snapshot;
import static dev.raftboot.spring.storage.StorageFixtures.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.CompactedException;
import dev.raftboot.InitialState;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.UnavailableException;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every database behind {@link JdbcStorage} must do: the semantics of etcd's MemoryStorage,
 * one-transaction saves, restarts that see exactly what was saved, and agreement with {@link
 * LogModel} over random operation sequences. Subclasses supply the database; each test works on its
 * own node id and removes its rows afterwards, so runs may share a database.
 */
abstract class JdbcStorageContractTests {

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

  private JdbcStorage open() {
    return open(SMALL_CACHE);
  }

  private JdbcStorage open(int cacheEntries) {
    return JdbcStorage.builder(dataSource(), nodeId).tailCacheEntries(cacheEntries).build();
  }

  private void appendEntries(JdbcStorage storage, Entry... entries) {
    storage.save(HardState.getDefaultInstance(), List.of(entries), Snapshot.getDefaultInstance());
  }

  /** The log of etcd's storage tests: compaction point 3 (term 3), entries 4 and 5. */
  private JdbcStorage threeFourFive() {
    JdbcStorage storage = open();
    storage.applySnapshot(snapshot(3, 3, voters(1, 2, 3), "state at 3"));
    appendEntries(storage, entry(4, 4), entry(5, 5));
    return storage;
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
      appendEntries(storage, e);
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
    appendEntries(storage, entry(6, 5, "x"));
    appendEntries(storage, entry(7, 5, "y"));
    appendEntries(storage, entry(8, 5, "z"));
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
      appendEntries(storage, e); // entry rows, as a log written one entry per save, or by 0.2
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

  // --- a new node ------------------------------------------------------------------------------

  @Test
  void newLogIsEmpty() {
    JdbcStorage storage = open();
    assertThat(storage.firstIndex()).isEqualTo(1);
    assertThat(storage.lastIndex()).isZero();
    assertThat(storage.term(0)).isZero();
    assertThat(storage.initialState())
        .isEqualTo(
            new InitialState(HardState.getDefaultInstance(), ConfState.getDefaultInstance()));
    assertThat(storage.snapshot()).isEqualTo(Snapshot.getDefaultInstance());
    assertThatThrownBy(() -> storage.entries(1, 1, -1)).isSameAs(UnavailableException.INSTANCE);
    assertThatThrownBy(() -> storage.term(1)).isSameAs(UnavailableException.INSTANCE);
  }

  @Test
  void firstAppendStartsAtIndexOne() {
    JdbcStorage storage = open();
    appendEntries(storage, entry(1, 1), entry(2, 1));
    assertThat(storage.firstIndex()).isEqualTo(1);
    assertThat(storage.lastIndex()).isEqualTo(2);
    assertThat(storage.entries(1, 3, -1)).containsExactly(entry(1, 1), entry(2, 1));
    assertThat(open().entries(1, 3, -1)).containsExactly(entry(1, 1), entry(2, 1));
  }

  // --- reads -----------------------------------------------------------------------------------

  @Test
  void termCoversCompactionPointToLastIndex() {
    JdbcStorage storage = threeFourFive();
    assertThatThrownBy(() -> storage.term(2)).isSameAs(CompactedException.INSTANCE);
    assertThat(storage.term(3)).isEqualTo(3);
    assertThat(storage.term(4)).isEqualTo(4);
    assertThat(storage.term(5)).isEqualTo(5);
    assertThatThrownBy(() -> storage.term(6)).isSameAs(UnavailableException.INSTANCE);
  }

  @Test
  void entriesHonourRangeAndSize() {
    JdbcStorage storage = threeFourFive();
    appendEntries(storage, entry(6, 6));
    long size4 = entry(4, 4).getSerializedSize();
    long size5 = entry(5, 5).getSerializedSize();
    long size6 = entry(6, 6).getSerializedSize();
    assertThatThrownBy(() -> storage.entries(2, 6, -1)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.entries(3, 4, -1)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.entries(4, 8, -1)).isSameAs(UnavailableException.INSTANCE);
    assertThat(storage.entries(4, 5, -1)).containsExactly(entry(4, 4));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, -1)).containsExactly(entry(4, 4), entry(5, 5), entry(6, 6));
    assertThat(storage.entries(5, 5, -1)).isEmpty();
    // at least one entry, whatever the limit
    assertThat(storage.entries(4, 7, 0)).containsExactly(entry(4, 4));
    assertThat(storage.entries(4, 7, size4 + size5)).containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, size4 + size5 + size6 / 2))
        .containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, size4 + size5 + size6 - 1))
        .containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 7, size4 + size5 + size6))
        .containsExactly(entry(4, 4), entry(5, 5), entry(6, 6));
  }

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
  void absentAndPresentFieldsSurviveTheDatabase() {
    JdbcStorage storage = open(0);
    Entry bare = entry(1, 1);
    Entry emptyData = Entry.newBuilder().setIndex(2).setTerm(1).setData(ByteString.EMPTY).build();
    Entry confChange =
        Entry.newBuilder()
            .setIndex(3)
            .setTerm(2)
            .setType(EntryType.EntryConfChangeV2)
            .setData(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 255}))
            .build();
    Entry normalType =
        Entry.newBuilder().setIndex(4).setTerm(2).setType(EntryType.EntryNormal).build();
    appendEntries(storage, bare, emptyData, confChange, normalType);
    assertThat(storage.entries(1, 5, -1)).containsExactly(bare, emptyData, confChange, normalType);
    assertThat(open(0).entries(1, 5, -1)).containsExactly(bare, emptyData, confChange, normalType);
  }

  // --- append ----------------------------------------------------------------------------------

  @Test
  void appendOfTheSameEntriesChangesNothing() {
    JdbcStorage storage = threeFourFive();
    appendEntries(storage, entry(3, 3), entry(4, 4), entry(5, 5));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 4), entry(5, 5));
    assertThat(storage.firstIndex()).isEqualTo(4);
  }

  @Test
  void appendReplacesAConflictingSuffix() {
    JdbcStorage storage = threeFourFive();
    appendEntries(storage, entry(3, 3), entry(4, 6), entry(5, 6));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 6));
    appendEntries(storage, entry(5, 7));
    assertThat(storage.entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 7));
    assertThat(open().entries(4, 6, -1)).containsExactly(entry(4, 6), entry(5, 7));
  }

  @Test
  void appendTruncatesBelowTheCacheAndDropsTheLongerTail() {
    JdbcStorage storage = open(2);
    for (long i = 1; i <= 10; i++) {
      appendEntries(storage, entry(i, 1));
    }
    appendEntries(storage, entry(4, 2), entry(5, 2));
    assertThat(storage.lastIndex()).isEqualTo(5);
    assertThat(storage.entries(1, 6, -1))
        .containsExactly(entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 2), entry(5, 2));
    assertThatThrownBy(() -> storage.term(6)).isSameAs(UnavailableException.INSTANCE);
    JdbcStorage reopened = open(2);
    assertThat(reopened.lastIndex()).isEqualTo(5);
    assertThat(reopened.term(5)).isEqualTo(2);
  }

  @Test
  void appendExtendsTheLog() {
    JdbcStorage storage = threeFourFive();
    appendEntries(storage, entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 5));
    assertThat(storage.entries(4, 7, -1)).containsExactly(entry(4, 4), entry(5, 5), entry(6, 5));
    appendEntries(storage, entry(7, 5));
    assertThat(storage.lastIndex()).isEqualTo(7);
  }

  @Test
  void appendSkipsEntriesAtOrBelowTheCompactionPoint() {
    JdbcStorage storage = threeFourFive();
    appendEntries(storage, entry(2, 3), entry(3, 3), entry(4, 5));
    assertThat(storage.entries(4, 5, -1)).containsExactly(entry(4, 5));
    assertThat(storage.lastIndex()).isEqualTo(4);
    appendEntries(storage, entry(1, 1), entry(2, 2));
    assertThat(storage.lastIndex()).isEqualTo(4);
  }

  @Test
  void appendThatWouldLeaveAGapFails() {
    JdbcStorage storage = threeFourFive();
    assertThatThrownBy(() -> appendEntries(storage, entry(7, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing log entry");
    assertThatThrownBy(() -> appendEntries(storage, entry(6, 5), entry(8, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not contiguous");
    assertThat(storage.lastIndex()).isEqualTo(5);
    assertThat(open().lastIndex()).isEqualTo(5);
  }

  // --- compaction ------------------------------------------------------------------------------

  @Test
  void compactKeepsTheTermOfTheCompactionPoint() {
    JdbcStorage storage = threeFourFive();
    assertThatThrownBy(() -> storage.compact(2)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.compact(3)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.compact(6)).isInstanceOf(IllegalArgumentException.class);
    storage.compact(4);
    assertThat(storage.firstIndex()).isEqualTo(5);
    assertThat(storage.term(4)).isEqualTo(4);
    assertThatThrownBy(() -> storage.term(3)).isSameAs(CompactedException.INSTANCE);
    assertThatThrownBy(() -> storage.entries(4, 6, -1)).isSameAs(CompactedException.INSTANCE);
    assertThat(storage.entries(5, 6, -1)).containsExactly(entry(5, 5));
    JdbcStorage reopened = open();
    assertThat(reopened.firstIndex()).isEqualTo(5);
    assertThat(reopened.term(4)).isEqualTo(4);
    storage.compact(5);
    assertThat(storage.firstIndex()).isEqualTo(6);
    assertThat(storage.lastIndex()).isEqualTo(5);
    assertThatThrownBy(() -> storage.entries(6, 6, -1)).isSameAs(UnavailableException.INSTANCE);
    assertThat(open().term(5)).isEqualTo(5);
    appendEntries(storage, entry(6, 6));
    assertThat(open().entries(6, 7, -1)).containsExactly(entry(6, 6));
  }

  @Test
  void compactionWorksBelowTheTailCache() {
    JdbcStorage storage = open(2);
    for (long i = 1; i <= 8; i++) {
      appendEntries(storage, entry(i, i));
    }
    storage.compact(3);
    assertThat(storage.term(3)).isEqualTo(3);
    assertThat(storage.entries(4, 9, -1)).hasSize(5);
    storage.compact(7);
    assertThat(storage.term(7)).isEqualTo(7);
    assertThat(storage.entries(8, 9, -1)).containsExactly(entry(8, 8));
  }

  // --- snapshots -------------------------------------------------------------------------------

  @Test
  void createSnapshotStoresMetadataAndData() {
    JdbcStorage storage = threeFourFive();
    ConfState cs = voters(1, 2, 3);
    ByteString data = ByteString.copyFromUtf8("state at 4");
    Snapshot four = storage.createSnapshot(4, cs, data);
    assertThat(four).isEqualTo(snapshot(4, 4, cs, "state at 4"));
    assertThat(storage.snapshot()).isEqualTo(four);
    assertThat(storage.initialState().confState()).isEqualTo(cs);
    assertThatThrownBy(() -> storage.createSnapshot(4, cs, data))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(() -> storage.createSnapshot(3, cs, data))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(() -> storage.createSnapshot(6, cs, data))
        .isInstanceOf(IllegalArgumentException.class);
    // the log is left alone
    assertThat(storage.firstIndex()).isEqualTo(4);
    Snapshot five = storage.createSnapshot(5, null, ByteString.copyFromUtf8("state at 5"));
    assertThat(five.getMetadata().getConfState()).isEqualTo(cs);
    assertThat(five.getMetadata().getTerm()).isEqualTo(5);
    assertThat(open().snapshot()).isEqualTo(five);
  }

  @Test
  void applySnapshotReplacesTheLog() {
    JdbcStorage storage = threeFourFive();
    storage.save(hardState(5, 1, 5), List.of(), Snapshot.getDefaultInstance());
    Snapshot snap = snapshot(10, 7, voters(1, 2), "state at 10");
    storage.applySnapshot(snap);
    assertThat(storage.firstIndex()).isEqualTo(11);
    assertThat(storage.lastIndex()).isEqualTo(10);
    assertThat(storage.term(10)).isEqualTo(7);
    assertThatThrownBy(() -> storage.term(5)).isSameAs(CompactedException.INSTANCE);
    assertThat(storage.snapshot()).isEqualTo(snap);
    assertThat(storage.initialState())
        .isEqualTo(new InitialState(hardState(5, 1, 5), voters(1, 2)));
    assertThatThrownBy(() -> storage.applySnapshot(snapshot(10, 7, voters(1), "again")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(() -> storage.applySnapshot(snapshot(9, 7, voters(1), "older")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    appendEntries(storage, entry(11, 7));
    JdbcStorage reopened = open();
    assertThat(reopened.firstIndex()).isEqualTo(11);
    assertThat(reopened.term(10)).isEqualTo(7);
    assertThat(reopened.entries(11, 12, -1)).containsExactly(entry(11, 7));
    assertThat(reopened.snapshot()).isEqualTo(snap);
  }

  @Test
  void snapshotWithoutDataOrConfStateRoundTrips() {
    JdbcStorage storage = open();
    Snapshot bare =
        Snapshot.newBuilder()
            .setMetadata(SnapshotMetadata.newBuilder().setIndex(5).setTerm(2))
            .build();
    storage.applySnapshot(bare);
    assertThat(storage.snapshot()).isEqualTo(bare);
    assertThat(open().snapshot()).isEqualTo(bare);
    assertThat(open().initialState().confState()).isEqualTo(ConfState.getDefaultInstance());
  }

  // --- save ------------------------------------------------------------------------------------

  @Test
  void saveWritesSnapshotEntriesAndHardStateTogether() {
    JdbcStorage storage = threeFourFive();
    Snapshot snap = snapshot(20, 8, voters(1, 2, 3), "state at 20");
    storage.save(hardState(9, 2, 21), List.of(entry(21, 9, "a"), entry(22, 9, "b")), snap);
    JdbcStorage reopened = open();
    assertThat(reopened.initialState())
        .isEqualTo(new InitialState(hardState(9, 2, 21), voters(1, 2, 3)));
    assertThat(reopened.firstIndex()).isEqualTo(21);
    assertThat(reopened.lastIndex()).isEqualTo(22);
    assertThat(reopened.term(20)).isEqualTo(8);
    assertThat(reopened.entries(21, 23, -1)).containsExactly(entry(21, 9, "a"), entry(22, 9, "b"));
    assertThat(reopened.snapshot()).isEqualTo(snap);
  }

  @Test
  void rejectedSaveChangesNothing() {
    JdbcStorage storage = threeFourFive();
    storage.save(hardState(5, 1, 4), List.of(), Snapshot.getDefaultInstance());
    assertThatThrownBy(
            () ->
                storage.save(
                    hardState(6, 2, 5), List.of(entry(6, 6)), snapshot(2, 2, voters(1), "old")))
        .isSameAs(SnapOutOfDateException.INSTANCE);
    assertThatThrownBy(
            () ->
                storage.save(
                    hardState(6, 2, 5), List.of(entry(9, 6)), Snapshot.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class);
    for (JdbcStorage s : List.of(storage, open())) {
      assertThat(s.initialState().hardState()).isEqualTo(hardState(5, 1, 4));
      assertThat(s.lastIndex()).isEqualTo(5);
    }
  }

  @Test
  void emptySaveIsANoOpAndHardStateAloneIsSaved() {
    JdbcStorage storage = threeFourFive();
    storage.save(HardState.getDefaultInstance(), List.of(), Snapshot.getDefaultInstance());
    storage.save(hardState(7, 3, 5), List.of(), Snapshot.getDefaultInstance());
    storage.save(hardState(8, 0, 5), List.of(), Snapshot.getDefaultInstance());
    assertThat(open().initialState().hardState()).isEqualTo(hardState(8, 0, 5));
    assertThat(open().lastIndex()).isEqualTo(5);
  }

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

  // --- durability and restarts -----------------------------------------------------------------

  @Test
  void restartAfterACrashSeesEverythingSaved() {
    JdbcStorage storage = threeFourFive();
    storage.save(
        hardState(6, 2, 5),
        List.of(entry(6, 6, "x"), entry(7, 6, "y")),
        Snapshot.getDefaultInstance());
    Snapshot snap = storage.createSnapshot(6, voters(1, 2, 3), ByteString.copyFromUtf8("six"));
    storage.compact(5);
    DataSource after = crashAndReopen();
    JdbcStorage reopened = JdbcStorage.create(after, nodeId);
    assertThat(reopened.initialState())
        .isEqualTo(new InitialState(hardState(6, 2, 5), voters(1, 2, 3)));
    assertThat(reopened.firstIndex()).isEqualTo(6);
    assertThat(reopened.lastIndex()).isEqualTo(7);
    assertThat(reopened.term(5)).isEqualTo(5);
    assertThat(reopened.entries(6, 8, -1)).containsExactly(entry(6, 6, "x"), entry(7, 6, "y"));
    assertThat(reopened.snapshot()).isEqualTo(snap);
  }

  // --- unsynced saves (a Ready whose MustSync is false) ----------------------------------------

  @Test
  void unsyncedSaveIsVisibleAtOnce() {
    JdbcStorage storage = open();
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a"), entry(2, 1, "b")), Snapshot.getDefaultInstance());
    storage.save(hardState(1, 1, 2), List.of(), Snapshot.getDefaultInstance(), false);
    assertThat(storage.initialState().hardState()).isEqualTo(hardState(1, 1, 2));
    JdbcStorage other = JdbcStorage.create(dataSource(), nodeId);
    assertThat(other.initialState().hardState()).isEqualTo(hardState(1, 1, 2));
  }

  @Test
  void nextSyncedSaveCoversAnEarlierUnsyncedOne() {
    JdbcStorage storage = open();
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a"), entry(2, 1, "b")), Snapshot.getDefaultInstance());
    storage.save(hardState(1, 1, 2), List.of(), Snapshot.getDefaultInstance(), false);
    storage.save(hardState(1, 1, 2), List.of(entry(3, 1, "c")), Snapshot.getDefaultInstance(), true);
    DataSource after = crashAndReopen();
    JdbcStorage reopened = JdbcStorage.create(after, nodeId);
    assertThat(reopened.initialState().hardState()).isEqualTo(hardState(1, 1, 2));
    assertThat(reopened.entries(1, 4, -1))
        .containsExactly(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 1, "c"));
  }

  @Test
  void crashAfterUnsyncedSaveLeavesTheOldOrTheNewStateWhole() {
    JdbcStorage storage = open();
    storage.save(hardState(1, 1, 0), List.of(entry(1, 1, "a")), Snapshot.getDefaultInstance());
    storage.save(hardState(2, 2, 1), List.of(entry(2, 2, "b")), Snapshot.getDefaultInstance(), false);
    DataSource after = crashAndReopen();
    JdbcStorage reopened = JdbcStorage.create(after, nodeId);
    if (reopened.lastIndex() == 2) {
      assertThat(reopened.initialState().hardState()).isEqualTo(hardState(2, 2, 1));
      assertThat(reopened.entries(1, 3, -1)).containsExactly(entry(1, 1, "a"), entry(2, 2, "b"));
    } else {
      assertThat(reopened.lastIndex()).isEqualTo(1);
      assertThat(reopened.initialState().hardState()).isEqualTo(hardState(1, 1, 0));
      assertThat(reopened.entries(1, 2, -1)).containsExactly(entry(1, 1, "a"));
    }
  }

  @Test
  void readersRunConcurrentlyWithTheWriter() throws Exception {
    JdbcStorage storage = open(8);
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Thread reader =
          new Thread(
              () -> {
                Random random = new Random();
                try {
                  while (!done.get()) {
                    long first = storage.firstIndex();
                    long last = storage.lastIndex();
                    if (last < first) {
                      continue;
                    }
                    long lo = first + random.nextInt((int) (last - first + 1));
                    try {
                      List<Entry> got = storage.entries(lo, last + 1, -1);
                      for (Entry e : got) {
                        // the writer's terms are a function of the index
                        assertThat(e.getTerm()).isEqualTo(1 + e.getIndex() / 7);
                      }
                      assertThat(storage.term(lo)).isEqualTo(1 + lo / 7);
                    } catch (CompactedException e) {
                      // compacted between our two reads: fine
                    }
                  }
                } catch (Throwable t) {
                  failures.add(t);
                }
              });
      reader.start();
      readers.add(reader);
    }
    try {
      for (long i = 1; i <= 120; i += 3) {
        appendEntries(
            storage,
            entry(i, 1 + i / 7),
            entry(i + 1, 1 + (i + 1) / 7),
            entry(i + 2, 1 + (i + 2) / 7));
        if (i % 30 == 1 && i > 30) {
          storage.compact(i - 20);
        }
      }
    } finally {
      done.set(true);
      for (Thread reader : readers) {
        reader.join(10_000);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(storage.lastIndex()).isEqualTo(120);
  }

  // --- random operations against the model -----------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void randomOperationsMatchTheModel(long seed) {
    Random random = new Random(seed);
    LogModel model = new LogModel();
    JdbcStorage storage = open(SMALL_CACHE);
    int changes = 0;
    long longest = 0;
    for (int step = 0; step < 150; step++) {
      long before =
          model.lastIndex() * 31
              + model.firstIndex() * 17
              + model.snapshot().getMetadata().getIndex();
      int op = random.nextInt(100);
      JdbcStorage s = storage;
      String what;
      if (op < 50) {
        HardState hs =
            random.nextInt(3) == 0
                ? HardState.getDefaultInstance()
                : hardState(random.nextInt(9), random.nextInt(4), random.nextInt(40));
        List<Entry> entries = randomEntries(random, model);
        Snapshot snap =
            random.nextInt(12) == 0 ? randomSnapshot(random, model) : Snapshot.getDefaultInstance();
        what = "save " + describe(entries) + " snapshot " + snap.getMetadata().getIndex();
        same(
            what,
            () -> StorageFixtures.run(() -> model.save(hs, entries, snap)),
            () -> StorageFixtures.run(() -> s.save(hs, entries, snap)));
      } else if (op < 60) {
        long at =
            model.firstIndex()
                - 2
                + random.nextInt((int) (model.lastIndex() - model.firstIndex() + 4));
        what = "compact " + at;
        same(what, () -> StorageFixtures.run(() -> model.compact(at)), () -> StorageFixtures.run(() -> s.compact(at)));
      } else if (op < 68) {
        long at =
            model.snapshot().getMetadata().getIndex()
                - 1
                + random.nextInt(
                    (int) (model.lastIndex() - model.snapshot().getMetadata().getIndex() + 3));
        ConfState cs = random.nextBoolean() ? voters(1 + random.nextInt(3)) : null;
        ByteString data = random.nextBoolean() ? ByteString.copyFromUtf8("snap " + step) : null;
        what = "createSnapshot " + at;
        same(
            what,
            () -> outcome(() -> model.createSnapshot(at, cs, data)),
            () -> outcome(() -> s.createSnapshot(at, cs, data)));
      } else if (op < 73) {
        Snapshot snap = randomSnapshot(random, model);
        what = "applySnapshot " + snap.getMetadata().getIndex();
        same(
            what,
            () -> StorageFixtures.run(() -> model.applySnapshot(snap)),
            () -> StorageFixtures.run(() -> s.applySnapshot(snap)));
      } else if (op < 80) {
        what = "restart";
        storage = open(new int[] {0, 1, SMALL_CACHE, 16}[random.nextInt(4)]);
      } else {
        what = "read";
      }
      compare(what + " (step " + step + ", seed " + seed + ")", random, model, storage);
      long after =
          model.lastIndex() * 31
              + model.firstIndex() * 17
              + model.snapshot().getMetadata().getIndex();
      changes += before != after ? 1 : 0;
      longest = Math.max(longest, model.lastIndex() - model.firstIndex() + 1);
    }
    compare("final restart", random, model, open(SMALL_CACHE));
    // the sequence must have done real work, not just provoked errors
    assertThat(changes).as("operations that changed the log").isGreaterThan(30);
    assertThat(longest).as("longest log").isGreaterThan(2L * SMALL_CACHE);
  }

  private static String describe(List<Entry> entries) {
    return entries.isEmpty()
        ? "[]"
        : "[" + entries.get(0).getIndex() + ".." + entries.get(entries.size() - 1).getIndex() + "]";
  }
}
