package dev.raftboot.spring.lock;

import dev.raftboot.spring.lock.LockResult.Status;
import java.time.Duration;

/**
 * A lock held through {@link RaftLocks}: its fencing token and how long this holder may still
 * rely on it.
 *
 * <p>The holder's validity is measured on this node's monotonic clock from the moment the grant
 * or the latest confirmed renewal was <em>sent</em>, and ends a safety margin before its time to
 * live: {@code sent + ttl - margin}. The cluster frees the lock no earlier than a full TTL after a
 * node applied that request, which is later still (see {@link LeaseExpirer}), so while {@link
 * #isValid()} is true no other holder can have it. A holder that pauses between checking and
 * acting can still act late: pass {@link #fencingToken()} to whatever it writes (see {@link
 * JdbcFence}).
 *
 * <p>Thread-safe. {@link #renew} and {@link #release} block for at most the command timeout.
 */
public final class LockLease {

  private final RaftLocks locks;
  private final String name;
  private final String owner;
  private final long token;
  private final long ttlNanos;
  private volatile long validUntilNanos;
  private volatile boolean ended;

  LockLease(RaftLocks locks, LockGrant grant, long sentNanos) {
    this.locks = locks;
    this.name = grant.name();
    this.owner = grant.owner();
    this.token = grant.token();
    this.ttlNanos = Duration.ofMillis(grant.ttlMillis()).toNanos();
    this.validUntilNanos = sentNanos + locks.holderValidity(ttlNanos);
  }

  /** The lock's name. */
  public String name() {
    return name;
  }

  /** The owner session the cluster granted the lock to; unique to this acquisition. */
  public String owner() {
    return owner;
  }

  /**
   * The fencing token of this grant: larger than that of every earlier grant of this lock (of any
   * lock, in fact). Renewals keep it.
   */
  public long fencingToken() {
    return token;
  }

  /** Whether this holder may still rely on the lock: not released, lost or past its validity. */
  public boolean isValid() {
    return !ended && locks.now() - validUntilNanos < 0;
  }

  /** How long this holder may still rely on the lock; zero once it may not. */
  public Duration remaining() {
    long left = validUntilNanos - locks.now();
    return ended || left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** Like {@link #renew(Duration)} with the TTL of the grant or of the latest renewal. */
  public boolean renew() {
    return renew(Duration.ofNanos(ttlNanos));
  }

  /**
   * Extends the lease to {@code ttl} from now (the time this request is sent).
   *
   * @return true if renewed; false if the cluster did not confirm the renewal in time (no leader,
   *     a timeout): the lease then stays valid only until its previous end
   * @throws LockLostException when the cluster no longer grants this lease
   */
  public boolean renew(Duration ttl) {
    return renew(ttl, locks.commandTimeout());
  }

  /**
   * Like {@link #renew(Duration)}, waiting at most {@code maxWait} for the cluster's answer (a
   * renewal confirmed later still takes effect in the cluster, but this holder does not count on
   * it).
   */
  public boolean renew(Duration ttl, Duration maxWait) {
    if (ended) {
      throw lostException();
    }
    long sent = locks.now();
    LockResult r = locks.await(locks.table().renew(name, owner, RaftLocks.millis(ttl)), maxWait);
    if (r == null) {
      return false;
    }
    if (r.status() != Status.RENEWED) {
      ended = true;
      throw lostException();
    }
    long until = sent + locks.holderValidity(ttl.toNanos());
    if (until - validUntilNanos > 0) {
      validUntilNanos = until;
    }
    return true;
  }

  /**
   * Releases the lock. This holder stops relying on it at once, whatever the outcome.
   *
   * @return true if the cluster confirmed that it was still held and is now free; false if it had
   *     been lost already or the release was not confirmed in time (the lock then frees itself
   *     once its time to live has passed)
   */
  public boolean release() {
    if (ended) {
      return false;
    }
    ended = true;
    locks.forget(this);
    LockResult r = locks.await(locks.table().release(name, owner), locks.commandTimeout());
    return r != null && r.status() == Status.RELEASED;
  }

  private LockLostException lostException() {
    return new LockLostException(
        "lock '" + name + "' (token " + token + ") is no longer held: it expired or was released");
  }

  /** Called when this node applied the end of this lock's current lease. */
  void lost() {
    ended = true;
  }

  @Override
  public String toString() {
    return "LockLease[" + name + ", token " + token + (isValid() ? ", valid " + remaining() : ", ended")
        + "]";
  }
}
