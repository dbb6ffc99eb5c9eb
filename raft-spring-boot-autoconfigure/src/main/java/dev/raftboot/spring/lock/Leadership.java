package dev.raftboot.spring.lock;

import java.time.Duration;

/**
 * One term of {@link LeaderWork} on this node: the raft term in which it began and the lease that
 * guards it. Thread-safe.
 */
public final class Leadership {

  private final long term;
  private final LockLease lease;

  Leadership(long term, LockLease lease) {
    this.term = term;
    this.lease = lease;
  }

  /** The raft term in which this node led when the work was granted. */
  public long term() {
    return term;
  }

  /** The fencing token of the leadership lease: larger for every later leadership. */
  public long fencingToken() {
    return lease.fencingToken();
  }

  /** Whether the work may still rely on being the only one running. */
  public boolean isValid() {
    return lease.isValid();
  }

  /** How long the work may still rely on it, if no renewal succeeds meanwhile. */
  public Duration remaining() {
    return lease.remaining();
  }

  LockLease lease() {
    return lease;
  }

  @Override
  public String toString() {
    return "Leadership[term " + term + ", token " + fencingToken() + (isValid() ? ", valid" : ", ended") + "]";
  }
}
