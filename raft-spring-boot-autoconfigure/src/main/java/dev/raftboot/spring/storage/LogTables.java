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
  private static final String INSERT_ENTRY =
      "INSERT INTO raft_cluster_log (cluster_id, node_id, idx, term, type, data, checksum)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)";
  private static final String DELETE_LOG = "DELETE FROM raft_cluster_log" + NODE;
  private static final String DELETE_FROM = DELETE_LOG + " AND idx >= ?";
  private static final String DELETE_BELOW = DELETE_LOG + " AND idx < ?";
  /** Parameters: checksum, cluster_id, node_id, idx. */
  private static final String CLEAR_ENTRY =
      "UPDATE raft_cluster_log SET type = NULL, data = NULL, checksum = ?"
          + " WHERE cluster_id = ? AND node_id = ? AND idx = ?";
  private static final String SELECT_TERM =
      "SELECT idx, term, type, data, checksum FROM raft_cluster_log" + NODE + " AND idx = ?";
  private static final String SELECT_BOUNDS =
      "SELECT MIN(idx), MAX(idx), COUNT(*) FROM raft_cluster_log" + NODE;
  private static final String SELECT_RANGE =
      "SELECT idx, term, type, data, checksum FROM raft_cluster_log" + NODE
          + " AND idx >= ? AND idx < ?"
          + " ORDER BY idx";
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
  private static final int FIRST_PAGE_ROWS = 16;

  private static final int MAX_PAGE_ROWS = 1024;

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
   * durable (refusing an unsynced one when {@code requireSync}), and adds the checksum columns to
   * tables created before they existed.
   */
  static LogTables open(
      DataSource dataSource,
      Connection connection,
      String clusterId,
      long nodeId,
      boolean requireSync)
      throws SQLException {
    SqlDialect dialect = SqlDialect.of(connection.getMetaData());
    JdbcStorageSchema.addChecksumColumns(connection);
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

  /** Lowest and highest index and the number of log rows; null for a log without rows. */
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
    try (PreparedStatement ps = prepare(c, SELECT_TERM)) {
      ps.setLong(3, index);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw missing(index);
        }
        return entry(rs).getTerm();
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
    List<Entry> page = new ArrayList<>();
    while (next < hi) {
      page.clear();
      selectPage(c, next, hi, pageRows, page);
      if (page.isEmpty()) {
        throw missing(next);
      }
      for (Entry e : page) {
        if (e.getIndex() != next) {
          throw missing(next);
        }
        if (!accept.test(e)) {
          return false;
        }
        next++;
      }
      pageRows = Math.min(MAX_PAGE_ROWS, pageRows * 4);
    }
    return true;
  }

  private void selectPage(Connection c, long lo, long hi, int limit, List<Entry> out)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, SELECT_RANGE + dialect.limit())) {
      ps.setLong(3, lo);
      ps.setLong(4, hi);
      ps.setInt(5, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(entry(rs));
        }
      }
    }
  }

  /** The entry in the current row (idx, term, type, data, checksum), its checksum verified. */
  private Entry entry(ResultSet rs) throws SQLException {
    long index = rs.getLong(1);
    long term = rs.getLong(2);
    int typeNumber = rs.getInt(3);
    Integer type = rs.wasNull() ? null : typeNumber;
    byte[] data = rs.getBytes(4);
    verify(LOG_TABLE, index, rs, 5, RowChecksum.entry(index, term, type, data));
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
   * Writes {@code change} in one transaction: the snapshot replacing every log row, or the rows
   * from {@code deleteFrom} deleted; then the dummy row and the entries in one batch; then the hard
   * state. Returns once committed, and on disk if {@code sync}.
   */
  void write(LogChange change, boolean sync) {
    inTransaction(
        sync,
        c -> {
          if (change.snapshot() != null) {
            delete(c, DELETE_LOG, -1);
            upsertSnapshot(c, change.snapshot());
          } else if (change.deleteFrom() > 0) {
            delete(c, DELETE_FROM, change.deleteFrom());
          }
          if (change.dummy() != null || !change.entries().isEmpty()) {
            insertEntries(c, change.dummy(), change.entries());
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
   * Deletes the rows below {@code compactIndex} and turns the row at it (of term {@code term})
   * into the dummy row.
   */
  void compact(long compactIndex, long term) {
    inTransaction(
        true,
        c -> {
          delete(c, DELETE_BELOW, compactIndex);
          try (PreparedStatement ps = c.prepareStatement(CLEAR_ENTRY)) {
            ps.setInt(1, RowChecksum.entry(compactIndex, term, null, null));
            ps.setString(2, clusterId);
            ps.setLong(3, nodeId);
            ps.setLong(4, compactIndex);
            ps.executeUpdate();
          }
        });
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

  /** One JDBC batch: the dummy row if given, then the entries. */
  private void insertEntries(Connection c, @Nullable Dummy dummy, List<Entry> entries)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_ENTRY)) {
      if (dummy != null) {
        bindNode(ps);
        ps.setLong(3, dummy.index());
        ps.setLong(4, dummy.term());
        ps.setNull(5, Types.SMALLINT);
        ps.setNull(6, Types.VARBINARY);
        ps.setInt(7, RowChecksum.entry(dummy.index(), dummy.term(), null, null));
        ps.addBatch();
      }
      for (Entry e : entries) {
        bindNode(ps);
        ps.setLong(3, e.getIndex());
        ps.setLong(4, e.getTerm());
        Integer type = e.hasType() ? e.getType().getNumber() : null;
        byte[] data = e.hasData() ? e.getData().toByteArray() : null;
        if (type != null) {
          ps.setShort(5, type.shortValue());
        } else {
          ps.setNull(5, Types.SMALLINT);
        }
        ps.setBytes(6, data);
        ps.setInt(7, RowChecksum.entry(e.getIndex(), e.getTerm(), type, data));
        ps.addBatch();
      }
      ps.executeBatch();
    }
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
