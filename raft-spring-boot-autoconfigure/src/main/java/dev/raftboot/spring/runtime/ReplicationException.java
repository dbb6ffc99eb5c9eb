package dev.raftboot.spring.runtime;

/** Base of the exceptions a replicated command or read fails with. */
public class ReplicationException extends RuntimeException {

  public ReplicationException(String message) {
    super(message);
  }

  public ReplicationException(String message, Throwable cause) {
    super(message, cause);
  }
}
