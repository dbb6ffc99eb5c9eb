package dev.raftboot.spring.lock;

/**
 * The cluster no longer grants this lease: it expired (its time to live passed without a renewal
 * reaching the log in time) or was released. Whatever it protected may have been taken over by
 * another holder; writes fenced with its token are refused downstream.
 */
public final class LockLostException extends RuntimeException {

  public LockLostException(String message) {
    super(message);
  }
}
