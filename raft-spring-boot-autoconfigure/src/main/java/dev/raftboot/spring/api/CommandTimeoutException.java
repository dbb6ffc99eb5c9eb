package dev.raftboot.spring.api;

/**
 * The command was not seen applied within the command timeout. Its outcome is unknown: it may have
 * been committed and applied (now or later), or lost with a leader change. Retry only if the
 * command is idempotent, or check the state first.
 */
public final class CommandTimeoutException extends OutcomeUnknownException {

  public CommandTimeoutException(String message) {
    super(message);
  }
}
