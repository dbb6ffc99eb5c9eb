package dev.raftboot.spring.storage;

/**
 * A row of the raft log or the snapshot no longer matches the checksum it was written with: the
 * database returned different bytes than {@link JdbcStorage} stored. Raft must not use such a log
 * (it may vote or acknowledge on entries it never received), so the node stops; see "Rebuilding a
 * node" in {@code src-docs/operations.md} for how to bring it back from its peers.
 */
public class StorageCorruptionException extends JdbcStorageException {

  private final String clusterId;
  private final long nodeId;
  private final String table;
  private final long index;

  public StorageCorruptionException(String clusterId, long nodeId, String table, long index) {
    super(
        "The raft storage of node "
            + Long.toUnsignedString(nodeId)
            + " in cluster \""
            + clusterId
            + "\" is corrupt: the row of index "
            + index
            + " in "
            + table
            + " does not match its checksum. The node stops rather than serve or vote on it;"
            + " rebuild it from its peers (src-docs/operations.md, \"Rebuilding a node\").");
    this.clusterId = clusterId;
    this.nodeId = nodeId;
    this.table = table;
    this.index = index;
  }

  /** The cluster of the corrupt log. */
  public String getClusterId() {
    return clusterId;
  }

  /** The node whose row is corrupt. */
  public long getNodeId() {
    return nodeId;
  }

  /** The table holding the row: {@code raft_cluster_log} or {@code raft_cluster_snapshot}. */
  public String getTable() {
    return table;
  }

  /** The row's raft index (the entry's, or the snapshot's). */
  public long getIndex() {
    return index;
  }
}
