package dev.raftboot.spring.api;

/**
 * The thread waiting for a replicated call was interrupted. Its interrupt flag is set again. For a
 * {@code @ReplicatedCommand} the outcome is unknown: the call may have been applied, or may still
 * be.
 */
public final class ReplicatedCallInterruptedException extends OutcomeUnknownException {

  public ReplicatedCallInterruptedException(String message, InterruptedException cause) {
    super(message, cause);
  }
}
