package dev.raftboot.spring.storage;

/**
 * The database holds a raft log for this node id that {@link JdbcStorage} must not take as the log
 * of its cluster: one written by raftboot 0.1 without a cluster id, or, in a database that belongs
 * to this node alone, one of another cluster. Nothing was read or changed; {@link #getAction()}
 * says how to resolve it.
 */
public class ClusterLogMismatchException extends JdbcStorageException {

  private final String action;

  public ClusterLogMismatchException(String description, String action) {
    super(description + " " + action);
    this.action = action;
  }

  /** What the operator can do. */
  public String getAction() {
    return action;
  }
}
