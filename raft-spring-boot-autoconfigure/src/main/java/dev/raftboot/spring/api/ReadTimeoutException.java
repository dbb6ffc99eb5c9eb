package dev.raftboot.spring.api;

/**
 * A read could not be confirmed within the timeout (no leader, or no quorum). A read changes
 * nothing: safe to retry.
 */
public final class ReadTimeoutException extends NotAppliedException {

  public ReadTimeoutException(String message) {
    super(message);
  }
}
