package dev.raftboot.spring.lock;

import dev.raftboot.spring.api.RaftLeaderChangedEvent;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Ends leases whose time to live has passed, by proposing {@link LockTable#expire} entries. Runs on
 * every node, proposes only on the leader.
 *
 * <p>Each node starts a lease's timer on its own monotonic clock when it applies the grant or
 * renewal (or restores it from a snapshot), which is always after the holder sent that request;
 * so when a timer fires, at least the lease's TTL has passed since the holder sent it, whatever
 * node's timer it is, as long as clocks run at about the same rate. That is why a new leader can
 * use the timers it ran as a follower, and why a stale belief of being the leader (the event comes
 * late) only costs a proposal that the table ignores. No node's wall clock is read.
 *
 * <p>Thread-safe: the table calls it on the apply thread, the sweep runs on a thread of its own.
 */
public final class LeaseExpirer
    implements LockTableListener, SmartLifecycle, ApplicationListener<RaftLeaderChangedEvent> {

  private static final Logger log = LoggerFactory.getLogger(LeaseExpirer.class);

  /** A lease's timer on this node: since when, for how long, and whether an expiry is on its way. */
  private record Timer(long renewedAt, long startNanos, long ttlNanos, boolean proposed) {
    boolean due(long now) {
      return !proposed && now - startNanos - ttlNanos >= 0;
    }
  }

  private final LockTable table;
  private final LongSupplier clock;
  private final Duration checkInterval;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private volatile boolean leader;
  private volatile @Nullable ScheduledExecutorService sweeper;

  /**
   * @param table the lock table bean (its proxy: expiries are proposed through it)
   * @param clock this node's monotonic clock in nanoseconds, normally {@link System#nanoTime()}
   * @param checkInterval how often due leases are looked for
   */
  public LeaseExpirer(LockTable table, LongSupplier clock, Duration checkInterval) {
    if (checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("check interval must be positive: " + checkInterval);
    }
    this.table = table;
    this.clock = clock;
    this.checkInterval = checkInterval;
  }

  @Override
  public void leaseStarted(LockGrant grant) {
    timers.put(grant.name(), timer(grant, clock.getAsLong()));
  }

  @Override
  public void lockFreed(String name) {
    timers.remove(name);
  }

  @Override
  public void restored(Collection<LockGrant> grants) {
    long now = clock.getAsLong();
    timers.clear();
    grants.forEach(g -> timers.put(g.name(), timer(g, now)));
  }

  private static Timer timer(LockGrant g, long now) {
    return new Timer(g.renewedAt(), now, TimeUnit.MILLISECONDS.toNanos(g.ttlMillis()), false);
  }

  @Override
  public void onApplicationEvent(RaftLeaderChangedEvent event) {
    leader = event.isLocalLeader();
  }

  /** Proposes an expiry for every due lease, if this node believes it leads. */
  void sweep() {
    if (!leader) {
      return;
    }
    long now = clock.getAsLong();
    timers.forEach(
        (name, t) -> {
          if (t.due(now) && timers.replace(name, t, withProposed(t, true))) {
            propose(name, t);
          }
        });
  }

  private void propose(String name, Timer t) {
    try {
      table
          .expire(name, t.renewedAt())
          .whenComplete(
              (result, error) -> {
                if (error != null) {
                  // Not applied, or unknown: allow another proposal at the next sweep.
                  timers.replace(name, withProposed(t, true), t);
                  log.debug("expiry of lock {} not confirmed: {}", name, error.toString());
                }
              });
    } catch (RuntimeException e) {
      timers.replace(name, withProposed(t, true), t);
      log.debug("expiry of lock {} not proposed: {}", name, e.toString());
    }
  }

  private static Timer withProposed(Timer t, boolean proposed) {
    return new Timer(t.renewedAt(), t.startNanos(), t.ttlNanos(), proposed);
  }

  @Override
  public synchronized void start() {
    if (sweeper != null) {
      return;
    }
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raft-lease-expirer");
              t.setDaemon(true);
              return t;
            });
    long every = checkInterval.toNanos();
    s.scheduleWithFixedDelay(this::sweepSafely, every, every, TimeUnit.NANOSECONDS);
    sweeper = s;
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      log.warn("lease expiry sweep failed", e);
    }
  }

  @Override
  public synchronized void stop() {
    ScheduledExecutorService s = sweeper;
    if (s != null) {
      s.shutdownNow();
      sweeper = null;
    }
  }

  @Override
  public boolean isRunning() {
    return sweeper != null;
  }
}
