package dev.raftboot.spring.runtime;

/** A read could not be confirmed within the timeout (no leader, or no quorum). Safe to retry. */
public final class ReadTimeoutException extends ReplicationException {

  public ReadTimeoutException(String message) {
    super(message);
  }
}
