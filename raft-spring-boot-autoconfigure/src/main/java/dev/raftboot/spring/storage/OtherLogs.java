package dev.raftboot.spring.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link JdbcStorage} does when a node opens an empty log while the database holds another log
 * of the same node id: one of raftboot 0.1 (no cluster id) or one in another cluster.
 */
final class OtherLogs {

  private static final System.Logger LOG = System.getLogger(JdbcStorage.class.getName());

  private OtherLogs() {}

  /**
   * Before a node starts with an empty log: a log of the same node id that has no cluster id (the
   * tables of raftboot 0.1) is moved here only when the operator named this cluster for it, and
   * refused otherwise; a log of the same node id in another cluster is refused in a database that
   * belongs to this node alone, and only reported in a shared one. Returns true when it moved a log
   * here, which the caller then loads.
   */
  static boolean check(
      LogTables tables,
      Connection c,
      String clusterId,
      long nodeId,
      @Nullable String legacyLogClusterId,
      boolean singleCluster)
      throws SQLException {
    String node = Long.toUnsignedString(nodeId);
    if (LegacyLog.holds(c, nodeId)) {
      if (!clusterId.equals(legacyLogClusterId)) {
        throw new ClusterLogMismatchException(
            "The tables "
                + LegacyLog.TABLES
                + " hold a raft log of node "
                + node
                + " written by raftboot 0.1, which did not record the cluster id, so it cannot be"
                + " told whether it belongs to cluster \""
                + clusterId
                + "\""
                + (legacyLogClusterId == null
                    ? "."
                    : " (raft.storage.jdbc.legacy-log-cluster-id names \""
                        + legacyLogClusterId
                        + "\")."),
            "If that log is this cluster's, set raft.storage.jdbc.legacy-log-cluster-id="
                + clusterId
                + " to move it into the current tables at the next start. If it belongs to"
                + " another cluster, start this node with that cluster's raft.cluster-id and"
                + " raft.storage.jdbc.legacy-log-cluster-id, or, if that log is no longer needed,"
                + " delete it: "
                + LegacyLog.deleteStatements(nodeId));
      }
      tables.moveLegacyLog();
      LOG.log(
          System.Logger.Level.INFO,
          "Moved the raftboot 0.1 log of node {0} into cluster {1}, as"
              + " raft.storage.jdbc.legacy-log-cluster-id says",
          node,
          clusterId);
      return true;
    }
    List<String> others = tables.otherClusters(c);
    if (others.isEmpty()) {
      return false;
    }
    if (singleCluster) {
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
    return false;
  }
}
