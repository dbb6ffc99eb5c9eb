package dev.raftboot.spring.lock;

import org.jspecify.annotations.Nullable;

/**
 * What a command of the {@link LockTable} did.
 *
 * @param status the outcome
 * @param grant the lease after the command: the caller's for {@link Status#GRANTED} and {@link
 *     Status#RENEWED}, the other holder's for {@link Status#HELD}, otherwise null
 */
public record LockResult(Status status, @Nullable LockGrant grant) {

  /** The outcome of a lock command. */
  public enum Status {
    /** The lock was free (or already the caller's) and is the caller's now. */
    GRANTED,
    /** The caller's lease was renewed. */
    RENEWED,
    /** Another owner holds the lock; nothing changed. */
    HELD,
    /** The caller's lease was released. */
    RELEASED,
    /** The lease was expired by the cluster. */
    EXPIRED,
    /**
     * The caller (or the expiry) does not hold the lease it names, which has expired, been
     * released, or been renewed since; nothing changed.
     */
    NOT_HELD
  }

  static LockResult of(Status status, @Nullable LockGrant grant) {
    return new LockResult(status, grant);
  }
}
