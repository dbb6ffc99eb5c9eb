package dev.raftboot.spring.lock;

import dev.raftboot.spring.api.RaftLeaderChangedEvent;
import dev.raftboot.spring.runtime.RaftServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link LeaderWork} beans on one node at a time. While this node is the raft leader it
 * acquires the leadership lock through {@link RaftLocks}, starts the work, and renews the lease
 * every third of its TTL. It revokes the work as soon as this node stops leading, a renewal is
 * refused, the node shuts down, or the lease's holder validity runs out without a renewal,
 * whichever comes first; the last is what keeps a node cut off from the cluster from working on
 * after the others could have chosen another leader.
 *
 * <p>Raft leadership alone is not enough: an old leader does not know it has been replaced until
 * it hears from the new one. The lease is: no other node can acquire it before a full TTL has
 * passed since this node's last renewal was sent, and this node gives it up a safety margin
 * earlier.
 */
public final class LeaderWorkCoordinator
    implements SmartLifecycle, ApplicationListener<RaftLeaderChangedEvent> {

  /** Starts after and stops before the raft node, so the lease can be released on shutdown. */
  public static final int PHASE = RaftServer.PHASE + 100;

  private static final Logger log = LoggerFactory.getLogger(LeaderWorkCoordinator.class);

  private final RaftLocks locks;
  private final List<LeaderWork> work;
  private final String lockName;
  private final Duration ttl;
  private final Object signal = new Object();
  /** The term in which this node leads, 0 while it does not. */
  private volatile long leaderTerm;
  private volatile boolean running;
  private volatile @Nullable Leadership current;
  private @Nullable Thread thread;

  /**
   * @param locks where the leadership lease is acquired
   * @param work the beans to run while leading
   * @param lockName the leadership lock's name
   * @param ttl the leadership lease's time to live: how long the cluster waits for a leader that
   *     stopped renewing before another node may start the work
   */
  public LeaderWorkCoordinator(RaftLocks locks, List<LeaderWork> work, String lockName, Duration ttl) {
    this.locks = locks;
    this.work = List.copyOf(work);
    this.lockName = lockName;
    this.ttl = ttl;
    RaftLocks.millis(ttl);
  }

  /** The leadership this node holds now, if any. */
  public Optional<Leadership> current() {
    Leadership l = current;
    return l != null && l.isValid() ? Optional.of(l) : Optional.empty();
  }

  @Override
  public void onApplicationEvent(RaftLeaderChangedEvent event) {
    leaderTerm = event.isLocalLeader() ? event.term() : 0;
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private void loop() {
    while (running) {
      try {
        long term = leaderTerm;
        if (term == 0) {
          await(Long.MAX_VALUE);
          continue;
        }
        Optional<LockLease> lease = locks.tryAcquire(lockName, ttl, ttl.dividedBy(3));
        if (lease.isPresent()) {
          lead(new Leadership(term, lease.get()), term);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("leader work on lock '{}' failed; trying again", lockName, e);
        sleepQuietly();
      }
    }
  }

  private void lead(Leadership leadership, long term) throws InterruptedException {
    LockLease lease = leadership.lease();
    current = leadership;
    try {
      grant(leadership);
      long renewEvery = ttl.toNanos() / 3;
      long nextRenew = locks.now() + renewEvery;
      while (running && leaderTerm == term && lease.isValid()) {
        long now = locks.now();
        if (now - nextRenew >= 0) {
          try {
            lease.renew(ttl, lease.remaining());
          } catch (LockLostException e) {
            break;
          }
          nextRenew = now + renewEvery;
          continue;
        }
        await(Math.min(nextRenew - now, lease.remaining().toNanos()));
      }
    } finally {
      current = null;
      revoke(leadership);
      lease.release();
    }
  }

  private void grant(Leadership leadership) {
    log.info("leader work granted on lock '{}': {}", lockName, leadership);
    for (LeaderWork w : work) {
      try {
        w.onGranted(leadership);
      } catch (Exception e) {
        throw new IllegalStateException("leader work " + w + " failed to start", e);
      }
    }
  }

  private void revoke(Leadership leadership) {
    log.info("leader work revoked on lock '{}': {}", lockName, leadership);
    for (LeaderWork w : work) {
      try {
        w.onRevoked(leadership);
      } catch (RuntimeException e) {
        log.warn("leader work {} failed to stop", w, e);
      }
    }
  }

  private void await(long nanos) throws InterruptedException {
    synchronized (signal) {
      if (running) {
        TimeUnit.NANOSECONDS.timedWait(signal, Math.max(1, Math.min(nanos, TimeUnit.SECONDS.toNanos(1))));
      }
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    Thread t = new Thread(this::loop, "raft-leader-work");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  @Override
  public void stop() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
      thread = null;
    }
    synchronized (signal) {
      signal.notifyAll();
    }
    if (t != null) {
      try {
        t.join(ttl.toMillis() + locks.commandTimeout().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
