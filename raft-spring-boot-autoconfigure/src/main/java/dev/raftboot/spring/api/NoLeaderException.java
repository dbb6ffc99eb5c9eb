package dev.raftboot.spring.api;

/**
 * The command was not accepted because no leader is known (an election is in progress, or this
 * node is cut off from a quorum). It was not appended to the log and will never be applied: safe
 * to retry.
 */
public final class NoLeaderException extends NotAppliedException {

  public NoLeaderException(String message) {
    super(message);
  }
}
