package dev.raftboot.spring.api;

/**
 * The command left this node, but the caller stopped waiting before it was applied here: it may
 * have been committed and applied (now or later), or lost with a leader change. Retry only if the
 * command is idempotent, or check the state first.
 */
public abstract sealed class OutcomeUnknownException extends ReplicationException
    permits CommandTimeoutException, ReplicatedCallInterruptedException, StoppedBeforeAppliedException {

  OutcomeUnknownException(String message) {
    super(message);
  }

  OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
