package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.raftboot.CompactedException;
import dev.raftboot.InitialState;
import dev.raftboot.RaftUtil;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.Storage;
import dev.raftboot.UnavailableException;
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
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A raft {@link Storage} kept in a relational database (H2, PostgreSQL, MariaDB/MySQL), with the
 * write side raft's driver needs: {@link #save} for everything one {@code Ready} asks to persist,
 * {@link #compact}, {@link #createSnapshot} and {@link #applySnapshot}. It behaves as etcd's {@code
 * MemoryStorage} does, and a new instance on the same database and node id sees exactly what the
 * previous one saved.
 *
 * <h2>Layout</h2>
 *
 * <p>Three tables keyed by {@code (cluster_id, node_id)}, so several nodes and several clusters
 * may share one database and a node never reads a log written under another cluster id: {@code
 * raft_cluster_log} with one row per entry plus one row at the compaction point whose term raft
 * still needs ({@code firstIndex() - 1}, the "dummy" entry of etcd's MemoryStorage), {@code
 * raft_cluster_hard_state} and {@code raft_cluster_snapshot} (the latest snapshot; its conf state
 * is the one {@link #initialState()} returns). {@link JdbcStorageSchema} creates them.
 *
 * <p>A node that opens an empty log first looks for another log of its node id: one in the tables
 * of raftboot 0.1, which had no cluster id, is never taken silently (see {@link
 * Builder#legacyLogClusterId}); one in another cluster is refused in a database of this node's own
 * (see {@link Builder#singleCluster}).
 *
 * <h2>Durability</h2>
 *
 * <p>Every write method returns only after its transaction is committed and on disk: the storage
 * finds out at construction what that takes on the connected database (see {@code
 * CommitDurability}) and by default refuses to start on a database configured to acknowledge
 * commits before they are synced.
 *
 * <h2>Caching</h2>
 *
 * <p>The first and last index, the hard state and the snapshot metadata are held in memory, and so
 * are the newest {@link Builder#tailCacheEntries(int) tail-cache-entries} entries: {@link #term}
 * and {@link #entries} for recent indexes never reach the database. Older entries are read with
 * SQL. Snapshot data is read from the database when {@link #snapshot()} is called.
 *
 * <h2>Threading</h2>
 *
 * <p>One writer thread (raft's loop, or its storage-append thread) calls the write methods; any
 * number of other threads may call the read methods concurrently. Write methods are serialized with
 * a mutex, so a second writer is safe but waits. Readers take a read lock that is held only for
 * memory lookups and for SQL reads of old entries; appends that only add entries run their
 * transaction without blocking readers, while the rarer writes that remove entries (truncating a
 * conflicting suffix, installing a snapshot) hold the write lock for their transaction so that no
 * reader sees a half-replaced log. A reader never sees entries whose transaction has not committed.
 */
public final class JdbcStorage implements RaftStorage {

  /** Cluster id of a storage whose builder is given none; the default of {@code raft.cluster-id}. */
  public static final String DEFAULT_CLUSTER_ID = "raft";

  /** Longest cluster id the tables hold. */
  public static final int MAX_CLUSTER_ID_LENGTH = 255;

  /** Number of newest entries kept in memory unless configured otherwise. */
  public static final int DEFAULT_TAIL_CACHE_ENTRIES = 1024;

  private static final System.Logger LOG = System.getLogger(JdbcStorage.class.getName());

  private static final String INSERT_ENTRY =
      "INSERT INTO raft_cluster_log (cluster_id, node_id, idx, term, type, data)"
          + " VALUES (?, ?, ?, ?, ?, ?)";
  private static final String NODE = " WHERE cluster_id = ? AND node_id = ?";
  private static final String DELETE_LOG = "DELETE FROM raft_cluster_log" + NODE;
  private static final String DELETE_FROM = DELETE_LOG + " AND idx >= ?";
  private static final String DELETE_BELOW = DELETE_LOG + " AND idx < ?";
  private static final String CLEAR_ENTRY =
      "UPDATE raft_cluster_log SET type = NULL, data = NULL" + NODE + " AND idx = ?";
  private static final String SELECT_TERM =
      "SELECT term FROM raft_cluster_log" + NODE + " AND idx = ?";
  private static final String SELECT_BOUNDS =
      "SELECT MIN(idx), MAX(idx), COUNT(*) FROM raft_cluster_log" + NODE;
  private static final String SELECT_RANGE =
      "SELECT idx, term, type, data FROM raft_cluster_log" + NODE + " AND idx >= ? AND idx < ?"
          + " ORDER BY idx";
  private static final String SELECT_HARD_STATE =
      "SELECT term, vote, commit_idx FROM raft_cluster_hard_state" + NODE;
  private static final String SELECT_SNAPSHOT_METADATA =
      "SELECT idx, term, conf_state FROM raft_cluster_snapshot" + NODE;
  private static final String SELECT_SNAPSHOT =
      "SELECT idx, term, conf_state, data FROM raft_cluster_snapshot" + NODE;

  private static final String SELECT_OTHER_CLUSTERS =
      "SELECT cluster_id FROM raft_cluster_hard_state WHERE node_id = ? AND cluster_id <> ?"
          + " UNION SELECT cluster_id FROM raft_cluster_log WHERE node_id = ? AND cluster_id <> ?"
          + " UNION SELECT cluster_id FROM raft_cluster_snapshot WHERE node_id = ?"
          + " AND cluster_id <> ? ORDER BY cluster_id";

  /** Rows fetched by the first query of an SQL range read; later pages grow up to the maximum. */
  private static final int FIRST_PAGE_ROWS = 16;

  private static final int MAX_PAGE_ROWS = 1024;

  private final DataSource dataSource;
  private final String clusterId;
  private final long nodeId;
  private final SqlDialect dialect;
  private final CommitDurability durability;

  /** Serializes the write methods. */
  private final Object writeMutex = new Object();

  /**
   * Guards the fields below. They are changed only by the writer (holding {@link #writeMutex})
   * under the write lock, so the writer may read them without the lock.
   */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** Index and term of the entry just below the first readable one. */
  private long dummyIndex;

  private long dummyTerm;

  /**
   * Whether {@code raft_cluster_log} holds the dummy row; false only for a log that never had
   * entries.
   */
  private boolean dummyStored;

  private long lastIndex;
  private HardState hardState;
  private SnapshotMetadata snapshotMetadata;
  private final TailCache tail;

  private JdbcStorage(Builder builder) {
    this.dataSource = builder.dataSource;
    this.clusterId = builder.clusterId;
    this.nodeId = builder.nodeId;
    this.tail = new TailCache(builder.tailCacheEntries);
    try (Connection connection = dataSource.getConnection()) {
      this.dialect = SqlDialect.of(connection.getMetaData());
      this.durability = CommitDurability.inspect(dialect, connection, builder.requireSyncedCommits);
      load(connection);
      if (isEmpty()) {
        checkNoOtherLog(connection, builder);
      }
    } catch (SQLException e) {
      throw new JdbcStorageException(
          "Could not load the raft log of node "
              + Long.toUnsignedString(nodeId)
              + " ("
              + e.getMessage()
              + "). Do the tables raft_cluster_log, raft_cluster_hard_state and"
              + " raft_cluster_snapshot exist? They are created by"
              + " raft.storage.jdbc.initialize-schema or JdbcStorageSchema.create.",
          e);
    }
    LOG.log(
        System.Logger.Level.INFO,
        "Raft log of node {0} in cluster {1} opened: entries ({2}, {3}], snapshot at {4}, {5}",
        Long.toUnsignedString(nodeId),
        clusterId,
        dummyIndex,
        lastIndex,
        snapshotMetadata.getIndex(),
        durability.description());
  }

  private boolean isEmpty() {
    return !dummyStored
        && snapshotMetadata.getIndex() == 0
        && hardState.equals(HardState.getDefaultInstance());
  }

  /**
   * Before a node starts with an empty log: a log of the same node id that has no cluster id (the
   * tables of raftboot 0.1) is moved here only when the operator named this cluster for it, and
   * refused otherwise; a log of the same node id in another cluster is refused in a database that
   * belongs to this node alone, and only reported in a shared one.
   */
  private void checkNoOtherLog(Connection c, Builder builder) throws SQLException {
    String node = Long.toUnsignedString(nodeId);
    if (LegacyLog.holds(c, nodeId)) {
      if (!clusterId.equals(builder.legacyLogClusterId)) {
        throw new ClusterLogMismatchException(
            "The tables "
                + LegacyLog.TABLES
                + " hold a raft log of node "
                + node
                + " written by raftboot 0.1, which did not record the cluster id, so it cannot be"
                + " told whether it belongs to cluster \""
                + clusterId
                + "\""
                + (builder.legacyLogClusterId == null
                    ? "."
                    : " (raft.storage.jdbc.legacy-log-cluster-id names \""
                        + builder.legacyLogClusterId
                        + "\")."),
            "If that log is this cluster's, set raft.storage.jdbc.legacy-log-cluster-id="
                + clusterId
                + " to move it into the current tables at the next start. If it belongs to"
                + " another cluster, start this node with that cluster's raft.cluster-id and"
                + " raft.storage.jdbc.legacy-log-cluster-id, or, if that log is no longer needed,"
                + " delete it: "
                + LegacyLog.deleteStatements(nodeId));
      }
      inTransaction(tx -> LegacyLog.moveInto(tx, clusterId, nodeId));
      load(c);
      LOG.log(
          System.Logger.Level.INFO,
          "Moved the raftboot 0.1 log of node {0} into cluster {1}, as"
              + " raft.storage.jdbc.legacy-log-cluster-id says",
          node,
          clusterId);
      return;
    }
    List<String> others = otherClusters(c);
    if (others.isEmpty()) {
      return;
    }
    if (builder.singleCluster) {
      throw new ClusterLogMismatchException(
          "This node's own database holds the raft log of node "
              + node
              + " in cluster "
              + others
              + ", and none in cluster \""
              + clusterId
              + "\" (raft.cluster-id).",
          "If this node belongs to that cluster, set raft.cluster-id to its name. If it should"
              + " start afresh in cluster \""
              + clusterId
              + "\", give it an empty database (another raft.storage.data-dir), or delete this"
              + " one once the other cluster's log is no longer needed.");
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "Node {0} starts with an empty log in cluster {1}, while this database holds its logs in"
            + " cluster {2}; if it should continue one of those, set raft.cluster-id to its name",
        node,
        clusterId,
        others);
  }

  private List<String> otherClusters(Connection c) throws SQLException {
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

  /** Opens the log of {@code nodeId} in {@code dataSource} with the default settings. */
  public static JdbcStorage create(DataSource dataSource, long nodeId) {
    return builder(dataSource, nodeId).build();
  }

  /** Starts configuring a storage for {@code nodeId} in {@code dataSource}. */
  public static Builder builder(DataSource dataSource, long nodeId) {
    return new Builder(dataSource, nodeId);
  }

  /** The cluster whose log this is. */
  public String clusterId() {
    return clusterId;
  }

  /** The node whose log this is. */
  public long nodeId() {
    return nodeId;
  }

  /** How many of the newest entries are kept in memory. */
  public int tailCacheEntries() {
    return tail.capacity();
  }

  /** How commits are made durable on this database, in words (for logs and diagnostics). */
  public String durabilityDescription() {
    return durability.description();
  }

  // ---------------------------------------------------------------------------------------------
  // Read side (raft's Storage)

  @Override
  public InitialState initialState() {
    lock.readLock().lock();
    try {
      return new InitialState(hardState, snapshotMetadata.getConfState());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxSize) {
    lock.readLock().lock();
    try {
      if (lo <= dummyIndex) {
        throw CompactedException.INSTANCE;
      }
      if (hi > lastIndex + 1 || lastIndex == dummyIndex) {
        throw UnavailableException.INSTANCE;
      }
      if (lo > hi) {
        throw new IllegalArgumentException("invalid range: lo " + lo + " > hi " + hi);
      }
      List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 256));
      SizeBudget budget = new SizeBudget(maxSize);
      long next = lo;
      long cached = tail.isEmpty() ? hi : Math.max(lo, Math.min(hi, tail.firstIndex()));
      if (next < cached) {
        if (!readRange(next, cached, budget, out)) {
          return out;
        }
        next = cached;
      }
      for (long i = next; i < hi; i++) {
        if (!budget.add(out, tail.get(i))) {
          break;
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long term(long i) {
    lock.readLock().lock();
    try {
      if (i < dummyIndex) {
        throw CompactedException.INSTANCE;
      }
      if (i > lastIndex) {
        throw UnavailableException.INSTANCE;
      }
      if (i == dummyIndex) {
        return dummyTerm;
      }
      if (tail.contains(i)) {
        return tail.get(i).getTerm();
      }
      return selectTerm(i);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long lastIndex() {
    lock.readLock().lock();
    try {
      return lastIndex;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long firstIndex() {
    lock.readLock().lock();
    try {
      return dummyIndex + 1;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Snapshot snapshot() {
    lock.readLock().lock();
    try {
      if (snapshotMetadata.getIndex() == 0) {
        return Snapshot.getDefaultInstance();
      }
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps = c.prepareStatement(SELECT_SNAPSHOT)) {
        bindNode(ps);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new JdbcStorageException(
                "The snapshot row of node " + Long.toUnsignedString(nodeId) + " disappeared");
          }
          Snapshot.Builder snapshot =
              Snapshot.newBuilder()
                  .setMetadata(metadata(rs.getLong(1), rs.getLong(2), rs.getBytes(3)));
          byte[] data = rs.getBytes(4);
          if (data != null) {
            snapshot.setData(UnsafeByteOperations.unsafeWrap(data));
          }
          return snapshot.build();
        }
      } catch (SQLException e) {
        throw failure("read the snapshot", e);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The hard state last saved (empty for a new node). */
  public HardState hardState() {
    lock.readLock().lock();
    try {
      return hardState;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Metadata of the latest snapshot (the default instance when there is none). */
  public SnapshotMetadata snapshotMetadata() {
    lock.readLock().lock();
    try {
      return snapshotMetadata;
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Write side

  /**
   * Persists what one {@code Ready} asks for, in one transaction that is on disk when this returns:
   * first the snapshot (which replaces the log, as {@link #applySnapshot} does), then the entries
   * (an entry at an index the log already has replaces it and everything after it), then the hard
   * state. Empty default instances and an empty list mean "nothing of this kind". Entries at or
   * below the compaction point are skipped.
   *
   * @throws SnapOutOfDateException if the snapshot is not newer than the stored one
   * @throws IllegalArgumentException if the entries are not contiguous, or would leave a gap after
   *     the last index
   * @throws JdbcStorageException if the database fails; nothing was changed then
   */
  @Override
  public void save(HardState hardState, List<Entry> entries, Snapshot snapshot) {
    save(hardState, entries, snapshot, true);
  }

  /**
   * Like {@link #save(HardState, List, Snapshot)}; with {@code sync} false the transaction is
   * committed but not forced to disk (see {@link RaftStorage#save(HardState, List, Snapshot,
   * boolean)}). A snapshot is always synced.
   */
  @Override
  public void save(HardState hardState, List<Entry> entries, Snapshot snapshot, boolean sync) {
    Objects.requireNonNull(hardState, "hardState");
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(snapshot, "snapshot");
    synchronized (writeMutex) {
      boolean withSnapshot = !RaftUtil.isEmptySnap(snapshot);
      SnapshotMetadata meta = snapshot.getMetadata();
      if (withSnapshot && meta.getIndex() <= snapshotMetadata.getIndex()) {
        throw SnapOutOfDateException.INSTANCE;
      }
      long baseDummy = withSnapshot ? meta.getIndex() : dummyIndex;
      long baseDummyTerm = withSnapshot ? meta.getTerm() : dummyTerm;
      long baseLast = withSnapshot ? meta.getIndex() : lastIndex;
      List<Entry> append = entriesToAppend(entries, baseDummy, baseLast);
      boolean withHardState = !RaftUtil.isEmptyHardState(hardState);
      if (!withSnapshot && append.isEmpty() && !withHardState) {
        return;
      }
      long first = append.isEmpty() ? 0 : append.get(0).getIndex();
      boolean truncates = !append.isEmpty() && first <= baseLast;
      boolean insertDummy = withSnapshot || (!append.isEmpty() && !dummyStored);
      // Writes that remove entries keep readers out until the new log is committed; appends that
      // only add entries above lastIndex cannot disturb a reader and publish afterwards.
      boolean removesEntries = withSnapshot || truncates;
      if (removesEntries) {
        lock.writeLock().lock();
      }
      try {
        inTransaction(
            withSnapshot || sync,
            c -> {
              if (withSnapshot) {
                deleteLog(c, DELETE_LOG, -1);
                upsertSnapshot(c, snapshot);
              } else if (truncates) {
                deleteLog(c, DELETE_FROM, first);
              }
              if (insertDummy || !append.isEmpty()) {
                insertEntries(c, insertDummy, baseDummy, baseDummyTerm, append);
              }
              if (withHardState) {
                upsertHardState(c, hardState);
              }
            });
        if (!removesEntries) {
          lock.writeLock().lock();
        }
        try {
          if (withSnapshot) {
            snapshotMetadata = meta;
            dummyIndex = baseDummy;
            dummyTerm = baseDummyTerm;
            lastIndex = baseLast;
            tail.clear();
          }
          if (!append.isEmpty()) {
            tail.truncateFrom(first);
            tail.append(append);
            lastIndex = append.get(append.size() - 1).getIndex();
          }
          if (insertDummy) {
            dummyStored = true;
          }
          if (withHardState) {
            this.hardState = hardState;
          }
        } finally {
          if (!removesEntries) {
            lock.writeLock().unlock();
          }
        }
      } finally {
        if (removesEntries) {
          lock.writeLock().unlock();
        }
      }
    }
  }

  /**
   * Discards the entries below {@code compactIndex}; entry {@code compactIndex} becomes the one
   * whose term is kept for matching, and {@code firstIndex()} becomes {@code compactIndex + 1}. The
   * caller must only compact entries that are applied and covered by a snapshot.
   *
   * @throws CompactedException if {@code compactIndex} is not above the current compaction point
   * @throws IllegalArgumentException if {@code compactIndex} is beyond the last index
   */
  public void compact(long compactIndex) {
    synchronized (writeMutex) {
      if (compactIndex <= dummyIndex) {
        throw CompactedException.INSTANCE;
      }
      if (compactIndex > lastIndex) {
        throw new IllegalArgumentException(
            "compact " + compactIndex + " is out of bound lastindex(" + lastIndex + ")");
      }
      long term = term(compactIndex);
      // Readers stop asking for the compacted entries before their rows go. Should the delete
      // fail, the database merely keeps more entries than memory admits to.
      lock.writeLock().lock();
      try {
        dummyIndex = compactIndex;
        dummyTerm = term;
        tail.dropThrough(compactIndex);
      } finally {
        lock.writeLock().unlock();
      }
      inTransaction(
          c -> {
            deleteLog(c, DELETE_BELOW, compactIndex);
            try (PreparedStatement ps = c.prepareStatement(CLEAR_ENTRY)) {
              bindNode(ps);
              ps.setLong(3, compactIndex);
              ps.executeUpdate();
            }
          });
    }
  }

  /**
   * Stores a snapshot of the state machine at {@code index} (an index the log holds) and returns
   * it. The log is left alone; call {@link #compact} afterwards to discard entries.
   *
   * @param confState the configuration at {@code index}; {@code null} keeps the previous one
   * @param data the application's snapshot, or {@code null} for none
   * @throws SnapOutOfDateException if {@code index} is not above the stored snapshot's index
   * @throws CompactedException if {@code index} is below the compaction point
   * @throws IllegalArgumentException if {@code index} is beyond the last index
   */
  public Snapshot createSnapshot(
      long index, @Nullable ConfState confState, @Nullable ByteString data) {
    synchronized (writeMutex) {
      if (index <= snapshotMetadata.getIndex()) {
        throw SnapOutOfDateException.INSTANCE;
      }
      if (index > lastIndex) {
        throw new IllegalArgumentException(
            "snapshot " + index + " is out of bound lastindex(" + lastIndex + ")");
      }
      if (index < dummyIndex) {
        throw CompactedException.INSTANCE;
      }
      SnapshotMetadata.Builder meta =
          SnapshotMetadata.newBuilder().setIndex(index).setTerm(term(index));
      if (confState != null) {
        meta.setConfState(confState);
      } else if (snapshotMetadata.hasConfState()) {
        meta.setConfState(snapshotMetadata.getConfState());
      }
      Snapshot.Builder builder = Snapshot.newBuilder().setMetadata(meta);
      if (data != null) {
        builder.setData(data);
      }
      Snapshot snapshot = builder.build();
      inTransaction(c -> upsertSnapshot(c, snapshot));
      lock.writeLock().lock();
      try {
        snapshotMetadata = snapshot.getMetadata();
      } finally {
        lock.writeLock().unlock();
      }
      return snapshot;
    }
  }

  /**
   * Installs a snapshot received from the leader: the whole log is replaced by the snapshot's index
   * and term, and the snapshot becomes the stored one.
   *
   * @throws SnapOutOfDateException if it is not newer than the stored snapshot
   */
  public void applySnapshot(Snapshot snapshot) {
    synchronized (writeMutex) {
      if (snapshot.getMetadata().getIndex() <= snapshotMetadata.getIndex()) {
        throw SnapOutOfDateException.INSTANCE;
      }
      save(HardState.getDefaultInstance(), List.of(), snapshot);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private static List<Entry> entriesToAppend(List<Entry> entries, long dummy, long last) {
    if (entries.isEmpty()) {
      return List.of();
    }
    long first = entries.get(0).getIndex();
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).getIndex() != first + i) {
        throw new IllegalArgumentException(
            "entries are not contiguous: index "
                + entries.get(i).getIndex()
                + " follows "
                + entries.get(i - 1).getIndex());
      }
    }
    long end = first + entries.size() - 1;
    if (end <= dummy) {
      return List.of();
    }
    if (first <= dummy) {
      entries = entries.subList((int) (dummy + 1 - first), entries.size());
      first = dummy + 1;
    }
    if (first > last + 1) {
      throw new IllegalArgumentException(
          "missing log entry [last: " + last + ", append at: " + first + "]");
    }
    return entries;
  }

  private void load(Connection c) throws SQLException {
    hardState = HardState.getDefaultInstance();
    try (PreparedStatement ps = c.prepareStatement(SELECT_HARD_STATE)) {
      bindNode(ps);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          hardState =
              HardState.newBuilder()
                  .setTerm(rs.getLong(1))
                  .setVote(rs.getLong(2))
                  .setCommit(rs.getLong(3))
                  .build();
        }
      }
    }
    snapshotMetadata = SnapshotMetadata.getDefaultInstance();
    try (PreparedStatement ps = c.prepareStatement(SELECT_SNAPSHOT_METADATA)) {
      bindNode(ps);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          snapshotMetadata = metadata(rs.getLong(1), rs.getLong(2), rs.getBytes(3));
        }
      }
    }
    long min;
    long max;
    long count;
    try (PreparedStatement ps = c.prepareStatement(SELECT_BOUNDS)) {
      bindNode(ps);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        min = rs.getLong(1);
        boolean empty = rs.wasNull();
        max = rs.getLong(2);
        count = rs.getLong(3);
        if (empty) {
          dummyIndex = 0;
          dummyTerm = 0;
          lastIndex = 0;
          dummyStored = false;
          return;
        }
      }
    }
    if (count != max - min + 1) {
      throw new JdbcStorageException(
          "The raft log of node "
              + Long.toUnsignedString(nodeId)
              + " has gaps: "
              + count
              + " rows between index "
              + min
              + " and "
              + max);
    }
    dummyIndex = min;
    dummyTerm = selectTerm(c, min);
    lastIndex = max;
    dummyStored = true;
    long from = Math.max(min + 1, max - tail.capacity() + 1);
    if (tail.capacity() > 0 && from <= max) {
      List<Entry> recent = new ArrayList<>();
      while (recent.size() < max - from + 1) {
        int before = recent.size();
        selectRange(c, from + before, max + 1, MAX_PAGE_ROWS, recent);
        if (recent.size() == before) {
          throw new JdbcStorageException(
              "The raft log of node " + Long.toUnsignedString(nodeId) + " changed while loading");
        }
      }
      tail.append(recent);
    }
  }

  /**
   * Reads entries {@code [lo, hi)} from the database into {@code out}, page by page, until the
   * range is done or the budget is spent. Returns false when the budget stopped it.
   */
  private boolean readRange(long lo, long hi, SizeBudget budget, List<Entry> out) {
    try (Connection c = dataSource.getConnection()) {
      long next = lo;
      int pageRows = FIRST_PAGE_ROWS;
      List<Entry> page = new ArrayList<>();
      while (next < hi) {
        page.clear();
        selectRange(c, next, hi, pageRows, page);
        for (Entry e : page) {
          if (e.getIndex() != next) {
            throw new JdbcStorageException(
                "The raft log of node "
                    + Long.toUnsignedString(nodeId)
                    + " is missing entry "
                    + next);
          }
          if (!budget.add(out, e)) {
            return false;
          }
          next++;
        }
        if (page.isEmpty()) {
          throw new JdbcStorageException(
              "The raft log of node "
                  + Long.toUnsignedString(nodeId)
                  + " is missing entry "
                  + next);
        }
        pageRows = Math.min(MAX_PAGE_ROWS, pageRows * 4);
      }
      return true;
    } catch (SQLException e) {
      throw failure("read entries [" + lo + ", " + hi + ")", e);
    }
  }

  private void selectRange(Connection c, long lo, long hi, int limit, List<Entry> out)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT_RANGE + dialect.limit())) {
      bindNode(ps);
      ps.setLong(3, lo);
      ps.setLong(4, hi);
      ps.setInt(5, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Entry.Builder e = Entry.newBuilder().setIndex(rs.getLong(1)).setTerm(rs.getLong(2));
          int type = rs.getInt(3);
          if (!rs.wasNull()) {
            EntryType t = EntryType.forNumber(type);
            if (t == null) {
              throw new JdbcStorageException(
                  "Entry " + e.getIndex() + " has an unknown type " + type);
            }
            e.setType(t);
          }
          byte[] data = rs.getBytes(4);
          if (data != null) {
            e.setData(UnsafeByteOperations.unsafeWrap(data));
          }
          out.add(e.build());
        }
      }
    }
  }

  private long selectTerm(long index) {
    try (Connection c = dataSource.getConnection()) {
      return selectTerm(c, index);
    } catch (SQLException e) {
      throw failure("read the term of entry " + index, e);
    }
  }

  private long selectTerm(Connection c, long index) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT_TERM)) {
      bindNode(ps);
      ps.setLong(3, index);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new JdbcStorageException(
              "The raft log of node "
                  + Long.toUnsignedString(nodeId)
                  + " is missing entry "
                  + index);
        }
        return rs.getLong(1);
      }
    }
  }

  private void deleteLog(Connection c, String sql, long index) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindNode(ps);
      if (index >= 0) {
        ps.setLong(3, index);
      }
      ps.executeUpdate();
    }
  }

  /** One JDBC batch: the dummy row if asked for, then the entries. */
  private void insertEntries(
      Connection c, boolean withDummy, long dummyIdx, long dummyTrm, List<Entry> entries)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_ENTRY)) {
      if (withDummy) {
        bindNode(ps);
        ps.setLong(3, dummyIdx);
        ps.setLong(4, dummyTrm);
        ps.setNull(5, Types.SMALLINT);
        ps.setNull(6, Types.VARBINARY);
        ps.addBatch();
      }
      for (Entry e : entries) {
        bindNode(ps);
        ps.setLong(3, e.getIndex());
        ps.setLong(4, e.getTerm());
        if (e.hasType()) {
          ps.setShort(5, (short) e.getType().getNumber());
        } else {
          ps.setNull(5, Types.SMALLINT);
        }
        if (e.hasData()) {
          ps.setBytes(6, e.getData().toByteArray());
        } else {
          ps.setNull(6, Types.VARBINARY);
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void upsertHardState(Connection c, HardState hs) throws SQLException {
    dialect.beforeUpsert(c, "raft_cluster_hard_state", clusterId, nodeId);
    try (PreparedStatement ps = c.prepareStatement(dialect.upsertHardState())) {
      bindNode(ps);
      ps.setLong(3, hs.getTerm());
      ps.setLong(4, hs.getVote());
      ps.setLong(5, hs.getCommit());
      ps.executeUpdate();
    }
  }

  private void upsertSnapshot(Connection c, Snapshot snapshot) throws SQLException {
    SnapshotMetadata meta = snapshot.getMetadata();
    dialect.beforeUpsert(c, "raft_cluster_snapshot", clusterId, nodeId);
    try (PreparedStatement ps = c.prepareStatement(dialect.upsertSnapshot())) {
      bindNode(ps);
      ps.setLong(3, meta.getIndex());
      ps.setLong(4, meta.getTerm());
      if (meta.hasConfState()) {
        ps.setBytes(5, meta.getConfState().toByteArray());
      } else {
        ps.setNull(5, Types.VARBINARY);
      }
      if (snapshot.hasData()) {
        ps.setBytes(6, snapshot.getData().toByteArray());
      } else {
        ps.setNull(6, Types.VARBINARY);
      }
      ps.executeUpdate();
    }
  }

  /** Sets the key of this node's rows, parameters 1 and 2 (cluster_id, node_id). */
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

  /** Runs {@code work} in one transaction and returns once the commit is on disk. */
  private void inTransaction(SqlWork work) {
    inTransaction(true, work);
  }

  /** Runs {@code work} in one transaction; returns once it is committed, and on disk if {@code sync}. */
  private void inTransaction(boolean sync, SqlWork work) {
    try (Connection c = dataSource.getConnection()) {
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

  private JdbcStorageException failure(String what, SQLException e) {
    return new JdbcStorageException(
        "Could not "
            + what
            + " in the raft log of node "
            + Long.toUnsignedString(nodeId)
            + ": "
            + e.getMessage(),
        e);
  }

  @FunctionalInterface
  private interface SqlWork {
    void run(Connection connection) throws SQLException;
  }

  /**
   * The size limit of one {@link #entries} call: the first entry always fits, later ones only while
   * the total protobuf size stays within {@code maxSize} (compared unsigned, so -1 is unlimited).
   */
  private static final class SizeBudget {
    private final long maxSize;
    private long size;

    SizeBudget(long maxSize) {
      this.maxSize = maxSize;
    }

    boolean add(List<Entry> out, Entry e) {
      long next = size + e.getSerializedSize();
      if (!out.isEmpty() && Long.compareUnsigned(next, maxSize) > 0) {
        return false;
      }
      size = next;
      out.add(e);
      return true;
    }
  }

  /** Settings of a {@link JdbcStorage}; {@link #build()} opens it. */
  public static final class Builder {

    private final DataSource dataSource;
    private final long nodeId;
    private String clusterId = DEFAULT_CLUSTER_ID;
    private @Nullable String legacyLogClusterId;
    private boolean singleCluster;
    private int tailCacheEntries = DEFAULT_TAIL_CACHE_ENTRIES;
    private boolean requireSyncedCommits = true;

    private Builder(DataSource dataSource, long nodeId) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      if (nodeId == 0) {
        throw new IllegalArgumentException("node id 0 is reserved for \"no node\"");
      }
      this.nodeId = nodeId;
    }

    /**
     * The cluster whose log this is (default {@value #DEFAULT_CLUSTER_ID}, as {@code
     * raft.cluster-id}): rows are keyed by cluster and node id, so a node never reads a log written
     * under another cluster id.
     */
    public Builder clusterId(String clusterId) {
      Objects.requireNonNull(clusterId, "clusterId");
      if (clusterId.isEmpty() || clusterId.length() > MAX_CLUSTER_ID_LENGTH) {
        throw new IllegalArgumentException(
            "a cluster id must have 1 to " + MAX_CLUSTER_ID_LENGTH + " characters: " + clusterId);
      }
      this.clusterId = clusterId;
      return this;
    }

    /**
     * The cluster that the node's log in the tables of raftboot 0.1 (no cluster id) belongs to, as
     * the operator asserts. When it equals {@link #clusterId} and the node has no log in the
     * current tables, that old log is moved into them; otherwise an old log of this node id stops
     * {@link #build()} with a {@link ClusterLogMismatchException}.
     */
    public Builder legacyLogClusterId(@Nullable String legacyLogClusterId) {
      this.legacyLogClusterId = legacyLogClusterId;
      return this;
    }

    /**
     * Whether the database belongs to this node alone (raft's own embedded database), so that a log
     * of this node id in another cluster means the node was pointed at the wrong cluster: {@link
     * #build()} then refuses with a {@link ClusterLogMismatchException} instead of only logging a
     * warning, as it does in a database that several clusters may share.
     */
    public Builder singleCluster(boolean singleCluster) {
      this.singleCluster = singleCluster;
      return this;
    }

    /** How many of the newest entries to keep in memory (0 turns the cache off). */
    public Builder tailCacheEntries(int tailCacheEntries) {
      if (tailCacheEntries < 0) {
        throw new IllegalArgumentException("tailCacheEntries must not be negative");
      }
      this.tailCacheEntries = tailCacheEntries;
      return this;
    }

    /**
     * Whether to refuse a database configured to acknowledge commits before they are on disk
     * (default true). When false such a database is only logged as a warning.
     */
    public Builder requireSyncedCommits(boolean requireSyncedCommits) {
      this.requireSyncedCommits = requireSyncedCommits;
      return this;
    }

    /**
     * Connects, checks how the database syncs commits and loads the node's state.
     *
     * @throws ClusterLogMismatchException if the node has no log in its cluster but one that must
     *     not be taken for it (see {@link #legacyLogClusterId} and {@link #singleCluster})
     * @throws JdbcStorageException if the tables are missing, the stored log is inconsistent, or
     *     the database does not sync commits and that is required
     */
    public JdbcStorage build() {
      return new JdbcStorage(this);
    }
  }
}
