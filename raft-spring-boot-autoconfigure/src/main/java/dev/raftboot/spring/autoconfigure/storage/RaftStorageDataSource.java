package dev.raftboot.spring.autoconfigure.storage;

import javax.sql.DataSource;

/**
 * The database that holds the raft log, as chosen by the rules described on {@link
 * dev.raftboot.spring.autoconfigure.RaftProperties}. It is deliberately not a {@code DataSource}
 * bean itself, so that raft's own database never competes with the application's. A pool that raft
 * opened is closed with the application context; a borrowed DataSource is left alone.
 */
public final class RaftStorageDataSource implements AutoCloseable {

  private final DataSource dataSource;
  private final String description;
  private final boolean owned;

  private RaftStorageDataSource(DataSource dataSource, String description, boolean owned) {
    this.dataSource = dataSource;
    this.description = description;
    this.owned = owned;
  }

  /** A DataSource raft opened for itself and closes. */
  public static RaftStorageDataSource owned(DataSource dataSource, String description) {
    return new RaftStorageDataSource(dataSource, description, true);
  }

  /** A DataSource that belongs to the application (or another bean) and stays open. */
  public static RaftStorageDataSource borrowed(DataSource dataSource, String description) {
    return new RaftStorageDataSource(dataSource, description, false);
  }

  public DataSource getDataSource() {
    return dataSource;
  }

  /** Where the log is, in words, for logs and diagnostics. */
  public String getDescription() {
    return description;
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
