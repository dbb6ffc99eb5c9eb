package dev.raftboot;

/**
 * Base of the unchecked exceptions raft-core throws for expected conditions (a dropped proposal, a
 * compacted index, a stopped node). They carry no stack trace: they are results, not bugs.
 */
public class RaftException extends RuntimeException {

  public RaftException(String message) {
    super(message, null, false, false);
  }
}
