package dev.raftboot.spring.command;

import dev.raftboot.spring.runtime.ReplicationException;

/**
 * The thread waiting for a replicated call was interrupted. Its interrupt flag is set again. For a
 * {@link ReplicatedCommand} the outcome is unknown: the call may have been applied, or may still
 * be.
 */
public final class ReplicatedCallInterruptedException extends ReplicationException {

  public ReplicatedCallInterruptedException(String message, InterruptedException cause) {
    super(message, cause);
  }
}
