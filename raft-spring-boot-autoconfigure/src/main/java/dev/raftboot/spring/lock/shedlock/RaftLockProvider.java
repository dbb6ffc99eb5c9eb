package dev.raftboot.spring.lock.shedlock;

import dev.raftboot.spring.lock.LockLease;
import dev.raftboot.spring.lock.LockLostException;
import dev.raftboot.spring.lock.RaftLocks;
import java.time.Duration;
import java.util.Optional;
import net.javacrumbs.shedlock.core.ExtensibleLockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * A ShedLock {@code LockProvider} on raftboot's replicated locks: a {@code @SchedulerLock} task
 * runs on one node per period, with no lock table of its own.
 *
 * <p>A lock is a lease whose TTL is {@code lockAtMostFor}. Unlocking before {@code lockAtLeastFor}
 * has passed keeps the lease for the rest of it (a renewal with that TTL), so the task does not run
 * again on another node within the period. Times are measured on this node's monotonic clock from
 * when the lock was requested; ShedLock's {@code createdAt} (a wall-clock time) is not used.
 * Each call acquires as an owner of its own, so a task never re-enters its own lock.
 */
public final class RaftLockProvider implements ExtensibleLockProvider {

  private final RaftLocks locks;

  public RaftLockProvider(RaftLocks locks) {
    this.locks = locks;
  }

  /** Tries once; empty when another node holds the lock, or when the cluster did not answer. */
  @Override
  public Optional<SimpleLock> lock(LockConfiguration configuration) {
    long requested = System.nanoTime();
    try {
      return locks
          .tryAcquire(configuration.getName(), configuration.getLockAtMostFor())
          .map(lease -> new RaftSimpleLock(lease, requested, configuration.getLockAtLeastFor()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private final class RaftSimpleLock implements SimpleLock {

    private final LockLease lease;
    private final long requestedNanos;
    private final Duration lockAtLeastFor;

    RaftSimpleLock(LockLease lease, long requestedNanos, Duration lockAtLeastFor) {
      this.lease = lease;
      this.requestedNanos = requestedNanos;
      this.lockAtLeastFor = lockAtLeastFor;
    }

    @Override
    public void unlock() {
      Duration rest = lockAtLeastFor.minusNanos(System.nanoTime() - requestedNanos);
      if (rest.toMillis() >= 1) {
        try {
          lease.renew(rest);
          return;
        } catch (LockLostException e) {
          return;
        }
      }
      lease.release();
    }

    /** Extends the lease to {@code lockAtMostFor} from now; empty if it was lost meanwhile. */
    @Override
    public Optional<SimpleLock> extend(Duration lockAtMostFor, Duration lockAtLeastFor) {
      long now = System.nanoTime();
      try {
        if (!lease.renew(lockAtMostFor)) {
          return Optional.empty();
        }
      } catch (LockLostException e) {
        return Optional.empty();
      }
      return Optional.of(new RaftSimpleLock(lease, now, lockAtLeastFor));
    }

    @Override
    public String toString() {
      return "RaftSimpleLock[" + lease + "]";
    }
  }
}
