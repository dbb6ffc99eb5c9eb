package dev.raftboot.spring.api;

/**
 * The command was not applied, on any node, and will not be: the caller may retry it (or, for an
 * {@link InvalidCommandException}, fix it). A read that fails with one of these changed nothing.
 */
public abstract sealed class NotAppliedException extends ReplicationException
    permits NoLeaderException, NodeStoppedException, ReadTimeoutException, InvalidCommandException {

  NotAppliedException(String message) {
    super(message);
  }

  NotAppliedException(String message, Throwable cause) {
    super(message, cause);
  }
}
