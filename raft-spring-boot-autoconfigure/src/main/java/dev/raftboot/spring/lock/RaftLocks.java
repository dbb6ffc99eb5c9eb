package dev.raftboot.spring.lock;

import dev.raftboot.spring.lock.LockResult.Status;
import dev.raftboot.spring.api.NotAppliedException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Distributed locks with leases and fencing tokens, on the replicated {@link LockTable}. Use it
 * from any node; every acquisition gets an owner of its own, so two acquisitions never share a
 * lease, even in one thread.
 *
 * <pre>{@code
 * Optional<LockLease> lease = locks.tryAcquire("invoices", Duration.ofSeconds(30), Duration.ofSeconds(5));
 * if (lease.isPresent()) {
 *   try {
 *     writeInvoices(lease.get().fencingToken());   // check lease.get().isValid() as you go
 *   } finally {
 *     lease.get().release();
 *   }
 * }
 * }</pre>
 *
 * <h2>Failures</h2>
 *
 * An attempt whose outcome is unknown (a timeout) is retried with the same owner, which the table
 * treats as a renewal; an acquisition that gives up after such an attempt releases the lock in the
 * background. A lock granted to an acquisition that gave up before it heard so is freed once its
 * time to live has passed. {@link IllegalArgumentException} for a bad name or TTL; {@link
 * InterruptedException} when the waiting thread is interrupted. Thread-safe.
 */
public final class RaftLocks implements LockTableListener {

  /** How long an acquisition waits between attempts while the lock is held elsewhere. */
  static final Duration RETRY_INTERVAL = Duration.ofMillis(200);

  /** How long an acquisition waits before retrying after a command that was not applied. */
  static final Duration NO_LEADER_BACKOFF = Duration.ofMillis(50);

  private final LockTable table;
  private final String session;
  private final double safetyMargin;
  private final Duration commandTimeout;
  private final LongSupplier clock;
  private final AtomicLong acquisitions = new AtomicLong();
  private final Set<LockLease> held = ConcurrentHashMap.newKeySet();
  private final Object freed = new Object();

  /**
   * @param table the lock table bean (its proxy: commands are proposed through it)
   * @param nodeId this node's id, part of every owner name so that owners tell where they run
   * @param safetyMargin the share of each TTL that a holder gives up, for clocks that run at
   *     different rates: 0.1 stops relying on a lease after 90% of its TTL
   * @param commandTimeout how long one attempt waits for the cluster's answer when the caller set
   *     no wait time, and how long renewals and releases wait
   * @param clock this node's monotonic clock in nanoseconds, normally {@link System#nanoTime()}
   */
  public RaftLocks(
      LockTable table, long nodeId, double safetyMargin, Duration commandTimeout, LongSupplier clock) {
    if (!(safetyMargin > 0 && safetyMargin < 1)) {
      throw new IllegalArgumentException(
          "the safety margin is a share of the TTL between 0 and 1 (such as 0.1), not " + safetyMargin);
    }
    this.table = table;
    this.session = nodeId + "/" + UUID.randomUUID();
    this.safetyMargin = safetyMargin;
    this.commandTimeout = commandTimeout;
    this.clock = clock;
  }

  /** Tries once to acquire {@code name} for {@code ttl}; empty if another owner holds it. */
  public Optional<LockLease> tryAcquire(String name, Duration ttl) throws InterruptedException {
    return tryAcquire(name, ttl, Duration.ZERO);
  }

  /**
   * Acquires {@code name} for {@code ttl}, waiting up to {@code wait} for it to become free (and
   * for a leader); zero tries once, waiting at most the command timeout for the answer.
   *
   * @return the lease, or empty if the lock could not be had in time
   */
  public Optional<LockLease> tryAcquire(String name, Duration ttl, Duration wait)
      throws InterruptedException {
    long ttlMillis = millis(ttl);
    LockTable.check(name, session, ttlMillis);
    String owner = session + "#" + acquisitions.incrementAndGet();
    boolean once = wait.isZero() || wait.isNegative();
    long deadline = now() + (once ? commandTimeout : wait).toNanos();
    // Set once this acquisition returns empty: a grant answered after that is given back.
    AtomicBoolean gaveUp = new AtomicBoolean();
    boolean maybeGranted = false;
    boolean granted = false;
    try {
      while (true) {
        long sent = now();
        CompletableFuture<LockResult> attempt = table.acquire(name, owner, ttlMillis);
        LockResult r = null;
        try {
          r = attempt.get(Math.max(0, deadline - sent), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          // Unknown: the next attempt (same owner) or the release below settles it.
        } catch (ExecutionException e) {
          if (e.getCause() instanceof IllegalArgumentException iae) {
            throw iae;
          }
        }
        if (r == null && !notApplied(attempt)) {
          maybeGranted = true;
          attempt.thenAccept(
              late -> {
                if (late.status() == Status.GRANTED && gaveUp.get()) {
                  table.release(name, owner);
                }
              });
        }
        if (r != null && r.status() == Status.GRANTED) {
          LockLease lease = new LockLease(this, r.grant(), sent);
          held.add(lease);
          granted = true;
          return Optional.of(lease);
        }
        if (once || now() - deadline >= 0) {
          return Optional.empty();
        }
        if (r != null) {
          awaitFree(deadline);
        } else if (notApplied(attempt)) {
          pause(deadline, NO_LEADER_BACKOFF);
        }
      }
    } finally {
      if (!granted) {
        gaveUp.set(true);
        if (maybeGranted) {
          table.release(name, owner);
        }
      }
    }
  }

  /** Whether {@code attempt} failed with the verdict that it was not applied (and will not be). */
  private static boolean notApplied(CompletableFuture<LockResult> attempt) {
    if (!attempt.isCompletedExceptionally()) {
      return false;
    }
    try {
      attempt.join();
      return false;
    } catch (CompletionException e) {
      return e.getCause() instanceof NotAppliedException;
    }
  }

  /** The holder of {@code name} after a linearizable read, if any. */
  public Optional<LockGrant> holder(String name) {
    return Optional.ofNullable(table.holder(name));
  }

  @Override
  public void lockFreed(String name) {
    for (LockLease lease : held) {
      if (lease.name().equals(name)) {
        lease.lost();
        held.remove(lease);
      }
    }
    synchronized (freed) {
      freed.notifyAll();
    }
  }

  @Override
  public void restored(java.util.Collection<LockGrant> grants) {
    for (LockLease lease : held) {
      boolean live =
          grants.stream().anyMatch(g -> g.name().equals(lease.name()) && g.owner().equals(lease.owner()));
      if (!live) {
        lease.lost();
        held.remove(lease);
      }
    }
    synchronized (freed) {
      freed.notifyAll();
    }
  }

  private void awaitFree(long deadline) throws InterruptedException {
    long wait = Math.min(RETRY_INTERVAL.toNanos(), deadline - now());
    if (wait > 0) {
      synchronized (freed) {
        TimeUnit.NANOSECONDS.timedWait(freed, wait);
      }
    }
  }

  private void pause(long deadline, Duration pause) throws InterruptedException {
    long wait = Math.min(pause.toNanos(), deadline - now());
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  // --- for LockLease -----------------------------------------------------------------------------

  LockTable table() {
    return table;
  }

  long now() {
    return clock.getAsLong();
  }

  /** How long renewals and releases wait for the cluster's answer. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** How long after sending a request for {@code ttlNanos} its holder may rely on the lease. */
  long holderValidity(long ttlNanos) {
    return ttlNanos - (long) (ttlNanos * safetyMargin);
  }

  void forget(LockLease lease) {
    held.remove(lease);
  }

  /** The result of {@code f} within {@code maxWait}, or null if it failed or took longer. */
  @Nullable LockResult await(CompletableFuture<LockResult> f, Duration maxWait) {
    try {
      return f.get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (TimeoutException | ExecutionException e) {
      return null;
    }
  }

  static long millis(Duration ttl) {
    long ms = ttl.toMillis();
    if (ms <= 0) {
      throw new IllegalArgumentException("a lock's time to live must be at least 1 ms, not " + ttl);
    }
    return ms;
  }
}
