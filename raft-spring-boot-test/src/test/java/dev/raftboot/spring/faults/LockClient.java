package dev.raftboot.spring.faults;

import dev.raftboot.spring.lock.LockLease;
import dev.raftboot.spring.lock.LockLostException;
import dev.raftboot.spring.lock.RaftLocks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One lock client thread bound to one node: acquires a random lock with a random wait, holds it
 * for a few steps (sleeping, sometimes renewing, sometimes pausing for longer than the TTL as a
 * garbage collection pause would), checks before each step that its lease is still valid, and
 * releases it. Each acquisition is recorded with the interval during which the holder relied on it.
 */
final class LockClient implements Runnable {

  private final String name;
  private final long nodeId;
  private final SplittableRandom random;
  private final FaultCluster cluster;
  private final List<String> lockNames;
  private final Duration ttl;
  private final MutualExclusionChecker checker;
  private final KvClient.Tally tally;
  private volatile boolean stop;

  LockClient(
      String name,
      long nodeId,
      SplittableRandom random,
      FaultCluster cluster,
      List<String> lockNames,
      Duration ttl,
      MutualExclusionChecker checker,
      KvClient.Tally tally) {
    this.name = name;
    this.nodeId = nodeId;
    this.random = random;
    this.cluster = cluster;
    this.lockNames = lockNames;
    this.ttl = ttl;
    this.checker = checker;
    this.tally = tally;
  }

  void stop() {
    stop = true;
  }

  @Override
  public void run() {
    while (!stop) {
      Optional<FaultCluster.Node> node = cluster.node(nodeId);
      if (node.isEmpty()) {
        pause(50);
        continue;
      }
      try {
        round(node.get().context().getBean(RaftLocks.class));
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The node is stopping under us.
        tally.add("lock.node-gone");
        pause(20);
      }
    }
  }

  private void round(RaftLocks locks) throws InterruptedException {
    String lock = lockNames.get(random.nextInt(lockNames.size()));
    Optional<LockLease> acquired = locks.tryAcquire(lock, ttl, Duration.ofMillis(random.nextInt(600)));
    if (acquired.isEmpty()) {
      tally.add("lock.not-acquired");
      return;
    }
    LockLease lease = acquired.get();
    long from = System.nanoTime();
    long last = from;
    tally.add("lock.acquired");
    int steps = 1 + random.nextInt(4);
    for (int i = 0; i < steps; i++) {
      if (random.nextInt(8) == 0) {
        tally.add("lock.holder-paused");
        Thread.sleep(ttl.toMillis() + random.nextLong(ttl.toMillis() * 2));
      } else {
        Thread.sleep(20 + random.nextLong(Math.max(1, ttl.toMillis() / 3)));
      }
      if (random.nextBoolean()) {
        try {
          tally.add(lease.renew() ? "lock.renewed" : "lock.renew-unconfirmed");
        } catch (LockLostException e) {
          tally.add("lock.lost");
          break;
        }
      }
      // The time is read before the check, so a valid lease was valid at that time.
      long now = System.nanoTime();
      if (!lease.isValid()) {
        tally.add("lock.expired-while-held");
        break;
      }
      last = now;
    }
    checker.held(new MutualExclusionChecker.Held(lock, lease.owner(), lease.fencingToken(), from, last, name));
    lease.release();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
