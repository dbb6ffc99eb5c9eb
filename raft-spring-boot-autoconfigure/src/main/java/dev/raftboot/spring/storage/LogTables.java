package dev.raftboot.spring.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The rows of one node's log in the three raft tables, and nothing of raft's rules: {@link
 * JdbcStorage} decides which entries to keep, replace or drop, this class reads and writes them,
 * with the statements of the connected database, paged range reads, and transactions that are on
 * disk when they return (see {@link CommitDurability}). Thread-safe: every call takes its own
 * connection from the pool, or uses the one it is given.
 */
final class LogTables {

  static final String LOG_TABLE = "raft_cluster_log";
  static final String SNAPSHOT_TABLE = "raft_cluster_snapshot";

  private static final String NODE = " WHERE cluster_id = ? AND node_id = ?";
  private static final String INSERT_ROW =
      "INSERT INTO raft_cluster_log"
          + " (cluster_id, node_id, idx, last_idx, term, type, data, checksum)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String DELETE_LOG = "DELETE FROM raft_cluster_log" + NODE;
  private static final String DELETE_FROM = DELETE_LOG + " AND idx >= ?";
  private static final String DELETE_BELOW = DELETE_LOG + " AND idx < ?";
  private static final String DELETE_ROW = DELETE_LOG + " AND idx = ?";
  private static final String ROW_COLUMNS = "SELECT idx, last_idx, term, type, data, checksum";
  /** The last index a row holds: its own for an entry row, last_idx for a run row. */
  private static final String ROW_LAST = "COALESCE(last_idx, idx)";
  /**
   * The row holding index {@code ?}: rows start at most {@link EntryRuns#MAX_ENTRIES} - 1 below
   * the indexes they hold, and that lower bound keeps the search a short index range (H2 2.4
   * answers a MAX(idx) or ORDER BY idx DESC below an index by scanning every row below it).
   * Parameters after the node: lowest start - 1, index.
   */
  private static final String SELECT_ROW_AT =
      ROW_COLUMNS + " FROM raft_cluster_log" + NODE + " AND idx > ? AND idx <= ? ORDER BY idx DESC";
  /** The rows holding indexes in [lo, hi); parameters: lowest start - 1, hi, lo, limit. */
  private static final String SELECT_RANGE =
      ROW_COLUMNS + " FROM raft_cluster_log" + NODE
          + " AND idx > ? AND idx < ? AND " + ROW_LAST + " >= ?"
          + " ORDER BY idx";
  private static final String SELECT_BOUNDS =
      "SELECT MIN(idx), MAX(" + ROW_LAST + "), SUM(" + ROW_LAST + " - idx + 1)"
          + " FROM raft_cluster_log" + NODE;
  private static final String SELECT_HARD_STATE =
      "SELECT term, vote, commit_idx FROM raft_cluster_hard_state" + NODE;
  private static final String SELECT_SNAPSHOT =
      "SELECT idx, term, conf_state, data, checksum FROM raft_cluster_snapshot" + NODE;
  private static final String SELECT_OTHER_CLUSTERS =
      "SELECT cluster_id FROM raft_cluster_hard_state WHERE node_id = ? AND cluster_id <> ?"
          + " UNION SELECT cluster_id FROM raft_cluster_log WHERE node_id = ? AND cluster_id <> ?"
          + " UNION SELECT cluster_id FROM raft_cluster_snapshot WHERE node_id = ?"
          + " AND cluster_id <> ? ORDER BY cluster_id";

  /** Rows fetched by the first query of a range read; later pages grow up to the maximum. */
  private static final int FIRST_PAGE_ROWS = 4;

  private static final int MAX_PAGE_ROWS = 1024;

  /** Pages after one that held a run row grow only to this, since each row may hold a megabyte. */
  private static final int MAX_PAGE_RUN_ROWS = 16;

  private final DataSource dataSource;
  private final String clusterId;
  private final long nodeId;
  private final SqlDialect dialect;
  private final CommitDurability durability;

  private LogTables(
      DataSource dataSource,
      String clusterId,
      long nodeId,
      SqlDialect dialect,
      CommitDurability durability) {
    this.dataSource = dataSource;
    this.clusterId = clusterId;
    this.nodeId = nodeId;
    this.dialect = dialect;
    this.durability = durability;
  }

  /**
   * Finds out on {@code connection} which database this is and what its commits need to be
   * durable (refusing an unsynced one when {@code requireSync}), and adds the columns that tables
   * created by older versions lack.
   */
  static LogTables open(
      DataSource dataSource,
      Connection connection,
      String clusterId,
      long nodeId,
      boolean requireSync)
      throws SQLException {
    SqlDialect dialect = SqlDialect.of(connection.getMetaData());
    JdbcStorageSchema.addMissingColumns(connection);
    CommitDurability durability = CommitDurability.inspect(dialect, connection, requireSync);
    return new LogTables(dataSource, clusterId, nodeId, dialect, durability);
  }

  String durabilityDescription() {
    return durability.description();
  }

  /** A new connection; the caller closes it. */
  Connection connect() throws SQLException {
    return dataSource.getConnection();
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /** The stored hard state, or the default instance. */
  HardState hardState(Connection c) throws SQLException {
    try (PreparedStatement ps = prepare(c, SELECT_HARD_STATE);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return HardState.getDefaultInstance();
      }
      return HardState.newBuilder()
          .setTerm(rs.getLong(1))
          .setVote(rs.getLong(2))
          .setCommit(rs.getLong(3))
          .build();
    }
  }

  /**
   * The stored snapshot's metadata, or the default instance. The whole row is read, so that its
   * checksum is verified when the node starts.
   */
  SnapshotMetadata snapshotMetadata(Connection c) throws SQLException {
    Snapshot stored = snapshot(c);
    return stored == null ? SnapshotMetadata.getDefaultInstance() : stored.getMetadata();
  }

  /** The stored snapshot with its data, or null when there is none. */
  @Nullable Snapshot snapshot() {
    try (Connection c = connect()) {
      return snapshot(c);
    } catch (SQLException e) {
      throw failure("read the snapshot", e);
    }
  }

  private @Nullable Snapshot snapshot(Connection c) throws SQLException {
    try (PreparedStatement ps = prepare(c, SELECT_SNAPSHOT);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      long index = rs.getLong(1);
      long term = rs.getLong(2);
      byte[] confState = rs.getBytes(3);
      byte[] data = rs.getBytes(4);
      verify(SNAPSHOT_TABLE, index, rs, 5, RowChecksum.snapshot(index, term, confState, data));
      Snapshot.Builder snapshot = Snapshot.newBuilder().setMetadata(metadata(index, term, confState));
      if (data != null) {
        snapshot.setData(UnsafeByteOperations.unsafeWrap(data));
      }
      return snapshot.build();
    }
  }

  /**
   * Lowest and highest index and the number of entries the log rows hold; null for a log without
   * rows.
   */
  @Nullable Bounds bounds(Connection c) throws SQLException {
    try (PreparedStatement ps = prepare(c, SELECT_BOUNDS);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long min = rs.getLong(1);
      if (rs.wasNull()) {
        return null;
      }
      return new Bounds(min, rs.getLong(2), rs.getLong(3));
    }
  }

  /** The term of the stored entry at {@code index}, which must exist. */
  long term(long index) {
    try (Connection c = connect()) {
      return term(c, index);
    } catch (SQLException e) {
      throw failure("read the term of entry " + index, e);
    }
  }

  long term(Connection c, long index) throws SQLException {
    Row row = rowAt(c, index);
    if (row == null) {
      throw missing(index);
    }
    return row.entry(index).getTerm();
  }

  /** The row holding {@code index}, or null when none does. */
  private @Nullable Row rowAt(Connection c, long index) throws SQLException {
    try (PreparedStatement ps = prepare(c, SELECT_ROW_AT + dialect.limit())) {
      ps.setLong(3, index - EntryRuns.MAX_ENTRIES);
      ps.setLong(4, index);
      ps.setInt(5, 1);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Row row = row(rs);
        return row.last() >= index ? row : null;
      }
    }
  }

  /**
   * Hands the stored entries {@code [lo, hi)} to {@code accept} in order, reading page by page,
   * until the range is done or {@code accept} returns false; returns false in that case.
   *
   * @throws JdbcStorageException if an entry of the range is missing
   */
  boolean readRange(long lo, long hi, Predicate<Entry> accept) {
    try (Connection c = connect()) {
      return readRange(c, lo, hi, accept);
    } catch (SQLException e) {
      throw failure("read entries [" + lo + ", " + hi + ")", e);
    }
  }

  boolean readRange(Connection c, long lo, long hi, Predicate<Entry> accept)
      throws SQLException {
    long next = lo;
    int pageRows = FIRST_PAGE_ROWS;
    List<Row> page = new ArrayList<>();
    while (next < hi) {
      page.clear();
      selectPage(c, next, hi, pageRows, page);
      long before = next;
      int maxRows = MAX_PAGE_ROWS;
      for (Row row : page) {
        if (row.last() > row.first()) {
          maxRows = MAX_PAGE_RUN_ROWS;
        }
        if (row.first() > next) {
          throw missing(next);
        }
        for (Entry e : row.entries()) {
          if (e.getIndex() < next) {
            continue;
          }
          if (e.getIndex() >= hi) {
            return true;
          }
          if (!accept.test(e)) {
            return false;
          }
          next++;
        }
      }
      if (next == before) {
        throw missing(next);
      }
      pageRows = Math.min(maxRows, pageRows * 4);
    }
    return true;
  }

  private void selectPage(Connection c, long lo, long hi, int limit, List<Row> out)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, SELECT_RANGE + dialect.limit())) {
      ps.setLong(3, lo - EntryRuns.MAX_ENTRIES);
      ps.setLong(4, hi);
      ps.setLong(5, lo);
      ps.setInt(6, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
    }
  }

  /**
   * The current row (idx, last_idx, term, type, data, checksum), its checksum verified. A run row
   * without a checksum is refused: runs were never written without one, so the column was cleared.
   */
  private Row row(ResultSet rs) throws SQLException {
    long index = rs.getLong(1);
    long last = rs.getLong(2);
    if (rs.wasNull()) {
      return new Row(index, index, List.of(entry(rs, index)));
    }
    long term = rs.getLong(3);
    byte[] data = rs.getBytes(5);
    int stored = rs.getInt(6);
    if (rs.wasNull() || data == null || stored != RowChecksum.run(index, last, term, data)) {
      throw new StorageCorruptionException(clusterId, nodeId, LOG_TABLE, index);
    }
    List<Entry> run = EntryRuns.decode(index, last, data);
    if (run == null || run.get(0).getTerm() != term) {
      throw new StorageCorruptionException(clusterId, nodeId, LOG_TABLE, index);
    }
    return new Row(index, last, run);
  }

  /** The entry of an entry row (one entry, or the dummy), its checksum verified. */
  private Entry entry(ResultSet rs, long index) throws SQLException {
    long term = rs.getLong(3);
    int typeNumber = rs.getInt(4);
    Integer type = rs.wasNull() ? null : typeNumber;
    byte[] data = rs.getBytes(5);
    verify(LOG_TABLE, index, rs, 6, RowChecksum.entry(index, term, type, data));
    Entry.Builder e = Entry.newBuilder().setIndex(index).setTerm(term);
    if (type != null) {
      EntryType t = EntryType.forNumber(type);
      if (t == null) {
        throw new JdbcStorageException("Entry " + index + " has an unknown type " + type);
      }
      e.setType(t);
    }
    if (data != null) {
      e.setData(UnsafeByteOperations.unsafeWrap(data));
    }
    return e.build();
  }

  /**
   * Compares the checksum stored in {@code column} with the one of the values read. Rows written
   * before the column existed have none and are taken unverified.
   */
  private void verify(String table, long index, ResultSet rs, int column, int expected)
      throws SQLException {
    int stored = rs.getInt(column);
    if (!rs.wasNull() && stored != expected) {
      throw new StorageCorruptionException(clusterId, nodeId, table, index);
    }
  }

  /** The clusters other than this one in which this node id has rows. */
  List<String> otherClusters(Connection c) throws SQLException {
    List<String> clusters = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(SELECT_OTHER_CLUSTERS)) {
      for (int table = 0; table < 3; table++) {
        ps.setLong(2 * table + 1, nodeId);
        ps.setString(2 * table + 2, clusterId);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          clusters.add(rs.getString(1));
        }
      }
    }
    return clusters;
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  /**
   * Writes {@code change} in one transaction: the snapshot replacing every log row, or the entries
   * from {@code deleteFrom} deleted (a run row holding entries on both sides is rewritten with the
   * ones below); then the dummy row and the entries in one batch; then the hard state. Returns
   * once committed, and on disk if {@code sync}.
   */
  void write(LogChange change, boolean sync) {
    inTransaction(
        sync,
        c -> {
          List<Entry> entries = change.entries();
          if (change.snapshot() != null) {
            delete(c, DELETE_LOG, -1);
            upsertSnapshot(c, change.snapshot());
          } else if (change.deleteFrom() > 0) {
            List<Entry> kept = deleteFrom(c, change.deleteFrom());
            if (!kept.isEmpty()) {
              entries = new ArrayList<>(kept);
              entries.addAll(change.entries());
            }
          }
          if (change.dummy() != null || !entries.isEmpty()) {
            insertEntries(c, change.dummy(), entries);
          }
          if (change.hardState() != null) {
            upsertHardState(c, change.hardState());
          }
        });
  }

  /** Stores {@code snapshot} as the node's snapshot, leaving the log alone. */
  void saveSnapshot(Snapshot snapshot) {
    inTransaction(true, c -> upsertSnapshot(c, snapshot));
  }

  /**
   * Deletes the entries up to {@code compactIndex} and writes the dummy row (of term {@code term})
   * at it; the entries above it that shared a run row with it are written back as a new run.
   */
  void compact(long compactIndex, long term) {
    inTransaction(
        true,
        c -> {
          Row row = rowAt(c, compactIndex);
          if (row == null) {
            throw missing(compactIndex);
          }
          delete(c, DELETE_BELOW, row.first() + 1);
          List<Entry> above = row.from(compactIndex + 1);
          insertEntries(c, new Dummy(compactIndex, term), above);
        });
  }

  /**
   * Deletes the entries from {@code index} on; returns the entries below it that shared a run row
   * with {@code index} and were deleted with it, for the caller to write back.
   */
  private List<Entry> deleteFrom(Connection c, long index) throws SQLException {
    Row row = rowAt(c, index);
    List<Entry> kept = List.of();
    if (row != null && row.first() < index) {
      kept = row.entries().subList(0, (int) (index - row.first()));
      delete(c, DELETE_ROW, row.first());
    }
    delete(c, DELETE_FROM, index);
    return kept;
  }

  /** Moves this node's log out of the tables of raftboot 0.1 into this cluster. */
  void moveLegacyLog() {
    inTransaction(true, c -> LegacyLog.moveInto(c, clusterId, nodeId));
  }

  private void delete(Connection c, String sql, long index) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql)) {
      if (index >= 0) {
        ps.setLong(3, index);
      }
      ps.executeUpdate();
    }
  }

  /**
   * One JDBC batch: the dummy row if given, then the consecutive {@code entries} as runs (see
   * {@link EntryRuns#split}), a run of one entry as an entry row.
   */
  private void insertEntries(Connection c, @Nullable Dummy dummy, List<Entry> entries)
      throws SQLException {
    List<List<Entry>> runs = EntryRuns.split(entries);
    try (PreparedStatement ps = c.prepareStatement(INSERT_ROW)) {
      if (dummy != null) {
        bindEntryRow(ps, dummy.index(), dummy.term(), null, null);
      }
      for (List<Entry> run : runs) {
        Entry e = run.get(0);
        if (run.size() == 1) {
          bindEntryRow(
              ps,
              e.getIndex(),
              e.getTerm(),
              e.hasType() ? e.getType().getNumber() : null,
              e.hasData() ? e.getData().toByteArray() : null);
        } else {
          bindRunRow(ps, e.getIndex(), run.get(run.size() - 1).getIndex(), e.getTerm(), run);
        }
      }
      ps.executeBatch();
    }
  }

  private void bindEntryRow(
      PreparedStatement ps, long index, long term, @Nullable Integer type, byte @Nullable [] data)
      throws SQLException {
    bindNode(ps);
    ps.setLong(3, index);
    ps.setNull(4, Types.BIGINT);
    ps.setLong(5, term);
    if (type != null) {
      ps.setShort(6, type.shortValue());
    } else {
      ps.setNull(6, Types.SMALLINT);
    }
    ps.setBytes(7, data);
    ps.setInt(8, RowChecksum.entry(index, term, type, data));
    ps.addBatch();
  }

  private void bindRunRow(PreparedStatement ps, long first, long last, long term, List<Entry> run)
      throws SQLException {
    byte[] data = EntryRuns.encode(run);
    bindNode(ps);
    ps.setLong(3, first);
    ps.setLong(4, last);
    ps.setLong(5, term);
    ps.setNull(6, Types.SMALLINT);
    ps.setBytes(7, data);
    ps.setInt(8, RowChecksum.run(first, last, term, data));
    ps.addBatch();
  }

  private void upsertHardState(Connection c, HardState hs) throws SQLException {
    dialect.beforeUpsert(c, "raft_cluster_hard_state", clusterId, nodeId);
    try (PreparedStatement ps = prepare(c, dialect.upsertHardState())) {
      ps.setLong(3, hs.getTerm());
      ps.setLong(4, hs.getVote());
      ps.setLong(5, hs.getCommit());
      ps.executeUpdate();
    }
  }

  private void upsertSnapshot(Connection c, Snapshot snapshot) throws SQLException {
    SnapshotMetadata meta = snapshot.getMetadata();
    dialect.beforeUpsert(c, SNAPSHOT_TABLE, clusterId, nodeId);
    try (PreparedStatement ps = prepare(c, dialect.upsertSnapshot())) {
      ps.setLong(3, meta.getIndex());
      ps.setLong(4, meta.getTerm());
      byte[] confState = meta.hasConfState() ? meta.getConfState().toByteArray() : null;
      byte[] data = snapshot.hasData() ? snapshot.getData().toByteArray() : null;
      ps.setBytes(5, confState);
      ps.setBytes(6, data);
      ps.setInt(7, RowChecksum.snapshot(meta.getIndex(), meta.getTerm(), confState, data));
      ps.executeUpdate();
    }
  }

  /** Runs {@code work} in one transaction; returns once it is committed, and on disk if {@code sync}. */
  private void inTransaction(boolean sync, SqlWork work) {
    try (Connection c = connect()) {
      boolean autoCommit = c.getAutoCommit();
      if (autoCommit) {
        c.setAutoCommit(false);
      }
      try {
        durability.beginTransaction(c, sync);
        work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        if (autoCommit) {
          c.setAutoCommit(true);
        }
      }
      durability.afterCommit(c, sync);
    } catch (SQLException e) {
      throw failure("write", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** A statement whose parameters 1 and 2 are this node's key (cluster_id, node_id). */
  private PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      bindNode(ps);
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }

  private void bindNode(PreparedStatement ps) throws SQLException {
    ps.setString(1, clusterId);
    ps.setLong(2, nodeId);
  }

  private static SnapshotMetadata metadata(long index, long term, byte @Nullable [] confState) {
    SnapshotMetadata.Builder meta = SnapshotMetadata.newBuilder().setIndex(index).setTerm(term);
    if (confState != null) {
      try {
        meta.setConfState(ConfState.parseFrom(confState));
      } catch (InvalidProtocolBufferException e) {
        throw new JdbcStorageException(
            "The stored conf state of snapshot " + index + " is corrupt", e);
      }
    }
    return meta.build();
  }

  private JdbcStorageException missing(long index) {
    return new JdbcStorageException(
        "The raft log of node " + Long.toUnsignedString(nodeId) + " is missing entry " + index);
  }

  /** A failed statement, as the storage reports it. */
  JdbcStorageException failure(String what, SQLException e) {
    return new JdbcStorageException(
        "Could not "
            + what
            + " in the raft log of node "
            + Long.toUnsignedString(nodeId)
            + ": "
            + e.getMessage(),
        e);
  }

  /** The rows of a log: lowest and highest index and how many there are. */
  record Bounds(long min, long max, long count) {}

  /** A log row: an entry row (the dummy, or one entry) or a run row, and the entries it holds. */
  private record Row(long first, long last, List<Entry> entries) {

    Entry entry(long index) {
      return entries.get((int) (index - first));
    }

    /** The entries from {@code index} (within or just above the row) to the row's end. */
    List<Entry> from(long index) {
      return entries.subList((int) (index - first), entries.size());
    }
  }

  /** The row at the compaction point, whose term raft still needs. */
  record Dummy(long index, long term) {}

  /**
   * What one save writes. {@code snapshot} replaces the whole log; otherwise {@code deleteFrom}
   * (when above 0) drops the conflicting suffix. {@code dummy} is inserted before {@code entries};
   * {@code hardState} null means unchanged.
   */
  record LogChange(
      @Nullable Snapshot snapshot,
      long deleteFrom,
      @Nullable Dummy dummy,
      List<Entry> entries,
      @Nullable HardState hardState) {}

  @FunctionalInterface
  private interface SqlWork {
    void run(Connection connection) throws SQLException;
  }
}
