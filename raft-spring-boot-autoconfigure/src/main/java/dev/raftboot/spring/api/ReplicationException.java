package dev.raftboot.spring.api;

/**
 * Base of the exceptions a replicated command or read fails with. Its kinds say what the caller
 * may conclude about the command:
 *
 * <ul>
 *   <li>{@link NotAppliedException}: the command certainly was not applied and never will be (it
 *       never reached the log, or every node refuses it alike); a read that failed changed nothing.
 *   <li>{@link OutcomeUnknownException}: the command may have been applied, or may still be. Retry
 *       only if it is idempotent (or with an {@link IdempotencyKey}), or read the state first.
 *   <li>{@link AlreadyAppliedException}: a retry with an {@link IdempotencyKey} whose first
 *       application's outcome is no longer known; the retry was not applied, the first one was.
 * </ul>
 *
 * A command that was applied never fails with a {@code ReplicationException}: its caller gets the
 * return value of its method, or the exception the method threw, which every node threw alike.
 */
public abstract sealed class ReplicationException extends RuntimeException
    permits NotAppliedException, OutcomeUnknownException, AlreadyAppliedException {

  ReplicationException(String message) {
    super(message);
  }

  ReplicationException(String message, Throwable cause) {
    super(message, cause);
  }
}
