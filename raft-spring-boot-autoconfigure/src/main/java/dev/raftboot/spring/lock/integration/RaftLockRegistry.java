package dev.raftboot.spring.lock.integration;

import dev.raftboot.spring.lock.LockLease;
import dev.raftboot.spring.lock.LockLostException;
import dev.raftboot.spring.lock.RaftLocks;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;

/**
 * A Spring Integration lock registry on raftboot's replicated locks, for {@code
 * LockRegistryLeaderInitiator} and every component that takes a {@code LockRegistry}.
 *
 * <p>Each key (a {@code String}) maps to one {@link RaftLock} per registry. As with Spring
 * Integration's JDBC registry, threads of this registry contend for a lock locally first (a
 * {@link ReentrantLock}), and the thread holding it holds the cluster-wide lease: one registry is
 * one owner. Acquiring again while holding it (as the leader initiator does at every heartbeat)
 * renews the lease. A lease expires when its TTL passes without a renewal; {@link
 * RaftLock#unlock()} then throws {@link ConcurrentModificationException}, as Spring Integration's
 * stores do.
 */
public final class RaftLockRegistry
    implements ExpirableLockRegistry<DistributedLock>, RenewableLockRegistry<DistributedLock> {

  private final RaftLocks locks;
  private final Duration defaultTtl;
  private final Map<String, RaftLock> registry = new ConcurrentHashMap<>();

  /**
   * @param locks the replicated locks
   * @param defaultTtl the TTL of locks acquired without one
   */
  public RaftLockRegistry(RaftLocks locks, Duration defaultTtl) {
    if (defaultTtl.toMillis() <= 0) {
      throw new IllegalArgumentException("the default TTL must be at least 1 ms, not " + defaultTtl);
    }
    this.locks = locks;
    this.defaultTtl = defaultTtl;
  }

  /**
   * The lock for {@code lockKey}.
   *
   * @throws IllegalArgumentException when the key is not a {@code String}
   */
  @Override
  public RaftLock obtain(Object lockKey) {
    if (!(lockKey instanceof String key)) {
      throw new IllegalArgumentException(
          "the lock key must be a String, not " + (lockKey == null ? "null" : lockKey.getClass().getName()));
    }
    RaftLock lock = registry.computeIfAbsent(key, RaftLock::new);
    lock.lastUsed = System.nanoTime();
    return lock;
  }

  @Override
  public void expireUnusedOlderThan(long age) {
    long now = System.nanoTime();
    registry.values().removeIf(l -> !l.local.isLocked() && now - l.lastUsed > TimeUnit.MILLISECONDS.toNanos(age));
  }

  @Override
  public void renewLock(Object lockKey) {
    renewLock(lockKey, null);
  }

  /**
   * Renews the lease of {@code lockKey}'s lock, which the current thread must hold.
   *
   * @throws IllegalStateException when the current thread does not hold it, or the cluster did not
   *     confirm the renewal or no longer grants the lease
   */
  @Override
  public void renewLock(Object lockKey, @Nullable Duration ttl) {
    RaftLock lock = registry.get(lockKey);
    if (lock == null || !lock.local.isHeldByCurrentThread() || lock.lease == null) {
      throw new IllegalStateException("the current thread does not hold the lock '" + lockKey + "'");
    }
    boolean renewed;
    try {
      renewed = lock.lease.renew(ttl != null ? ttl : lock.ttl);
    } catch (LockLostException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    if (!renewed) {
      throw new IllegalStateException(
          "the renewal of lock '" + lockKey + "' was not confirmed by the cluster in time");
    }
  }

  /**
   * One key's lock. Besides the {@link DistributedLock} contract, the holding thread can read the
   * lease's {@linkplain #fencingToken() fencing token} and whether it is {@linkplain #isValid()
   * still valid}.
   */
  public final class RaftLock implements DistributedLock {

    private final String key;
    private final ReentrantLock local = new ReentrantLock();
    private volatile long lastUsed = System.nanoTime();
    /** The lease while this registry holds the lock; written by the holding thread. */
    private volatile @Nullable LockLease lease;
    private volatile Duration ttl = defaultTtl;

    private RaftLock(String key) {
      this.key = key;
    }

    /** The fencing token of the lease the current thread holds, if it holds one. */
    public OptionalLong fencingToken() {
      LockLease l = lease;
      return local.isHeldByCurrentThread() && l != null ? OptionalLong.of(l.fencingToken()) : OptionalLong.empty();
    }

    /** Whether the current thread holds this lock and may still rely on its lease. */
    public boolean isValid() {
      LockLease l = lease;
      return local.isHeldByCurrentThread() && l != null && l.isValid();
    }

    @Override
    public void lock() {
      lock(defaultTtl);
    }

    /** Blocks until the lock is held, uninterruptibly (an interrupt is kept for later). */
    @Override
    public void lock(Duration ttl) {
      boolean interrupted = false;
      while (true) {
        try {
          if (tryLock(Duration.ofDays(1), ttl)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
      while (!tryLock(Duration.ofDays(1), defaultTtl)) {
        // Keep trying.
      }
    }

    /** Tries once, waiting for the cluster's answer up to the command timeout. */
    @Override
    public boolean tryLock() {
      try {
        return tryLock(Duration.ZERO, defaultTtl);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
      return tryLock(Duration.ofNanos(unit.toNanos(time)), defaultTtl);
    }

    /**
     * Acquires the lock within {@code waitTime}. When the current thread holds it already, renews
     * the lease instead: true while it still holds a valid lease afterwards, false (and not held
     * once more) when the lease was lost and could not be had again in time.
     */
    @Override
    public boolean tryLock(Duration waitTime, Duration ttl) throws InterruptedException {
      long start = System.nanoTime();
      if (!local.tryLock(waitTime.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
      boolean ok = false;
      try {
        Duration left = waitTime.minusNanos(System.nanoTime() - start);
        LockLease held = lease;
        if (held != null && local.getHoldCount() > 1) {
          ok = renewHeld(held, ttl, left);
          if (ok) {
            return true;
          }
          left = waitTime.minusNanos(System.nanoTime() - start);
        }
        java.util.Optional<LockLease> acquired = locks.tryAcquire(key, ttl, left.isNegative() ? Duration.ZERO : left);
        if (acquired.isPresent()) {
          lease = acquired.get();
          this.ttl = ttl;
          ok = true;
        }
        return ok;
      } finally {
        if (!ok) {
          local.unlock();
        }
      }
    }

    private boolean renewHeld(LockLease held, Duration ttl, Duration maxWait) {
      try {
        held.renew(ttl, maxWait.isNegative() || maxWait.isZero() ? locks.commandTimeout() : maxWait);
        this.ttl = ttl;
      } catch (LockLostException e) {
        return false;
      }
      return held.isValid();
    }

    /**
     * Releases one hold; the last one releases the lease in the cluster.
     *
     * @throws IllegalMonitorStateException when the current thread does not hold the lock
     * @throws ConcurrentModificationException when the lease had expired before this release: the
     *     work it protected may have overlapped with another holder's
     */
    @Override
    public void unlock() {
      if (!local.isHeldByCurrentThread()) {
        throw new IllegalMonitorStateException("the current thread does not hold the lock '" + key + "'");
      }
      if (local.getHoldCount() > 1) {
        local.unlock();
        return;
      }
      LockLease held = lease;
      lease = null;
      boolean wasValid = held != null && held.isValid();
      try {
        if (held != null) {
          held.release();
        }
      } finally {
        local.unlock();
      }
      if (!wasValid) {
        throw new ConcurrentModificationException(
            "the lease of lock '" + key + "' had ended before unlock: another holder may have"
                + " worked under it meanwhile (renew within the TTL, or use a longer one)");
      }
    }

    /** Not supported: conditions cannot be shared across the cluster. */
    @Override
    public Condition newCondition() {
      throw new UnsupportedOperationException("raftboot locks do not support conditions");
    }

    @Override
    public String toString() {
      LockLease l = lease;
      return "RaftLock[" + key + (l == null ? ", not held" : ", " + l) + "]";
    }
  }
}
