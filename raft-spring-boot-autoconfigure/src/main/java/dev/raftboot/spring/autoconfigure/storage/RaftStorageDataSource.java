package dev.raftboot.spring.autoconfigure.storage;

import javax.sql.DataSource;

/**
 * The database that holds the raft log, as chosen by the rules described on {@link
 * RaftStorageProperties}. It is deliberately not a {@code DataSource}
 * bean itself, so that raft's own database never competes with the application's. A pool that raft
 * opened is closed with the application context; a borrowed DataSource is left alone.
 */
public final class RaftStorageDataSource implements AutoCloseable {

  private final DataSource dataSource;
  private final String description;
  private final boolean owned;
  private final boolean dedicated;

  private RaftStorageDataSource(
      DataSource dataSource, String description, boolean owned, boolean dedicated) {
    this.dataSource = dataSource;
    this.description = description;
    this.owned = owned;
    this.dedicated = dedicated;
  }

  /** A DataSource raft opened for itself and closes. */
  public static RaftStorageDataSource owned(DataSource dataSource, String description) {
    return new RaftStorageDataSource(dataSource, description, true, false);
  }

  /**
   * A database raft opened for this node alone (its embedded H2 file database), which holds no
   * other cluster's log.
   */
  public static RaftStorageDataSource dedicated(DataSource dataSource, String description) {
    return new RaftStorageDataSource(dataSource, description, true, true);
  }

  /** A DataSource that belongs to the application (or another bean) and stays open. */
  public static RaftStorageDataSource borrowed(DataSource dataSource, String description) {
    return new RaftStorageDataSource(dataSource, description, false, false);
  }

  public DataSource getDataSource() {
    return dataSource;
  }

  /** Where the log is, in words, for logs and diagnostics. */
  public String getDescription() {
    return description;
  }

  /** Whether this database belongs to this node alone, so that no other cluster's log is in it. */
  public boolean isDedicated() {
    return dedicated;
  }

  /** Whether raft opened this DataSource and closes it. */
  public boolean isOwned() {
    return owned;
  }

  @Override
  public void close() throws Exception {
    if (owned && dataSource instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
