package dev.raftboot.spring.storage;

/**
 * A database operation of {@link JdbcStorage} failed, or the stored log is not in a state the
 * storage can use. Raft treats it as fatal: the node must stop rather than go on with a log it
 * could not persist or read.
 */
public class JdbcStorageException extends RuntimeException {

  public JdbcStorageException(String message) {
    super(message);
  }

  public JdbcStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
