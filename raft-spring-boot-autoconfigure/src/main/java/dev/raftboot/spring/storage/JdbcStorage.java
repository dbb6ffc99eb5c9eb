package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import dev.raftboot.CompactedException;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.Storage;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * raft_cluster_log} with the entries plus one row at the compaction point whose term raft still
 * needs ({@code firstIndex() - 1}, the "dummy" entry of etcd's MemoryStorage), {@code
 * raft_cluster_hard_state} and {@code raft_cluster_snapshot} (the latest snapshot; its conf state
 * is the one {@link #initialState()} returns). {@link JdbcStorageSchema} creates them.
 *
 * <p>The entries of one save go into one run row (up to 1024 entries or about a megabyte each,
 * more rows beyond that), so that the cost of a save hardly grows with its entries; a save of one
 * entry writes an entry row, as every row was before runs. Both kinds are read, so a log written
 * by an older version opens as it is. Replacing a suffix that starts inside a run, and compacting
 * to an index inside one, rewrite that run's remaining entries as a new row.
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
 * <h2>Integrity</h2>
 *
 * <p>Every log and snapshot row carries a CRC32C of its values (of a run row: of its whole framed
 * entries), verified whenever it is read from the database; a mismatch throws {@link
 * StorageCorruptionException}, and the node stops rather than use the log. Entry rows written
 * before the column existed are read unverified; a run row without one is refused.
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
public final class JdbcStorage extends AbstractRaftStorage {

  /** Cluster id of a storage whose builder is given none; the default of {@code raft.cluster-id}. */
  public static final String DEFAULT_CLUSTER_ID = "raft";

  /** Longest cluster id the tables hold. */
  public static final int MAX_CLUSTER_ID_LENGTH = 255;

  /** Number of newest entries kept in memory unless configured otherwise. */
  public static final int DEFAULT_TAIL_CACHE_ENTRIES = 1024;

  private static final System.Logger LOG = System.getLogger(JdbcStorage.class.getName());

  private final String clusterId;
  private final long nodeId;
  private final LogTables tables;

  /**
   * Whether {@code raft_cluster_log} holds the dummy row; false only for a log that never had
   * entries.
   */
  private boolean dummyStored;

  /** Guarded as the fields of {@link AbstractRaftStorage} are, and so is {@link #tail}. */
  private long lastIndex;

  private final TailCache tail;

  private JdbcStorage(Builder builder) {
    this.clusterId = builder.clusterId;
    this.nodeId = builder.nodeId;
    this.tail = new TailCache(builder.tailCacheEntries);
    try (Connection connection = builder.dataSource.getConnection()) {
      this.tables =
          LogTables.open(
              builder.dataSource, connection, clusterId, nodeId, builder.requireSyncedCommits);
      load(connection);
      if (isEmpty()
          && OtherLogs.check(
              tables,
              connection,
              clusterId,
              nodeId,
              builder.legacyLogClusterId,
              builder.singleCluster)) {
        load(connection);
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
        tables.durabilityDescription());
  }

  private boolean isEmpty() {
    return !dummyStored
        && snapshotMetadata.getIndex() == 0
        && hardState.equals(HardState.getDefaultInstance());
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
    return tables.durabilityDescription();
  }

  // ---------------------------------------------------------------------------------------------
  // Read side (raft's Storage)

  @Override
  long lastIndexUnlocked() {
    return lastIndex;
  }

  @Override
  void readEntries(long lo, long hi, LogAppends.SizeBudget budget) {
    long cached = tail.isEmpty() ? hi : Math.max(lo, Math.min(hi, tail.firstIndex()));
    if (lo < cached && !tables.readRange(lo, cached, budget::add)) {
      return;
    }
    for (long i = Math.max(lo, cached); i < hi; i++) {
      if (!budget.add(tail.get(i))) {
        return;
      }
    }
  }

  @Override
  long termOf(long i) {
    return tail.contains(i) ? tail.get(i).getTerm() : tables.term(i);
  }

  @Override
  Snapshot readSnapshot(long index) {
    Snapshot stored = tables.snapshot();
    if (stored == null) {
      throw new JdbcStorageException(
          "The snapshot row of node " + Long.toUnsignedString(nodeId) + " disappeared");
    }
    return stored;
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
    synchronized (writeMutex) {
      Change c = change(hardState, entries, snapshot);
      if (c == null) {
        return;
      }
      boolean withSnapshot = c.snapshot() != null;
      SnapshotMetadata meta = snapshot.getMetadata();
      long baseDummy = c.baseDummy();
      long baseDummyTerm = c.baseDummyTerm();
      long baseLast = c.baseLast();
      List<Entry> append = c.append();
      boolean withHardState = c.hardState() != null;
      long first = append.isEmpty() ? 0 : append.get(0).getIndex();
      boolean truncates = c.truncatesFrom() > 0;
      boolean insertDummy = withSnapshot || (!append.isEmpty() && !dummyStored);
      LogTables.LogChange change =
          new LogTables.LogChange(
              c.snapshot(),
              withSnapshot ? 0 : c.truncatesFrom(),
              insertDummy ? new LogTables.Dummy(baseDummy, baseDummyTerm) : null,
              append,
              c.hardState());
      Runnable publish =
          () -> {
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
          };
      // Writes that remove entries keep readers out until the new log is committed; appends that
      // only add entries above lastIndex cannot disturb a reader and publish afterwards.
      if (withSnapshot || truncates) {
        guard.write(
            () -> {
              tables.write(change, true);
              publish.run();
            });
      } else {
        tables.write(change, sync);
        guard.write(publish);
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
      LogAppends.checkCompaction(compactIndex, dummyIndex, lastIndex);
      long term = term(compactIndex);
      // Readers stop asking for the compacted entries before their rows go. Should the delete
      // fail, the database merely keeps more entries than memory admits to.
      guard.write(
          () -> {
            dummyIndex = compactIndex;
            dummyTerm = term;
            tail.dropThrough(compactIndex);
          });
      tables.compact(compactIndex, term);
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
      Snapshot snapshot =
          LogAppends.snapshotAt(
              index, this::term, snapshotMetadata, dummyIndex, lastIndex, confState, data);
      tables.saveSnapshot(snapshot);
      guard.write(() -> snapshotMetadata = snapshot.getMetadata());
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

  /** Reads the node's state and the newest entries into memory. */
  private void load(Connection c) throws SQLException {
    hardState = tables.hardState(c);
    snapshotMetadata = tables.snapshotMetadata(c);
    LogTables.Bounds bounds = tables.bounds(c);
    if (bounds == null) {
      dummyIndex = 0;
      dummyTerm = 0;
      lastIndex = 0;
      dummyStored = false;
      return;
    }
    long min = bounds.min();
    long max = bounds.max();
    if (bounds.count() != max - min + 1) {
      throw new JdbcStorageException(
          "The raft log of node "
              + Long.toUnsignedString(nodeId)
              + " has gaps: "
              + bounds.count()
              + " entries between index "
              + min
              + " and "
              + max);
    }
    dummyIndex = min;
    dummyTerm = tables.term(c, min);
    lastIndex = max;
    dummyStored = true;
    long from = Math.max(min + 1, max - tail.capacity() + 1);
    if (tail.capacity() > 0 && from <= max) {
      List<Entry> recent = new ArrayList<>();
      tables.readRange(c, from, max + 1, recent::add);
      tail.append(recent);
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
