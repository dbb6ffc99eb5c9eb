package dev.raftboot.spring.faults;

import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.autoconfigure.lock.RaftLockAutoConfiguration;
import dev.raftboot.spring.autoconfigure.lock.RaftLockProperties;
import dev.raftboot.spring.lock.LeaseExpirer;
import dev.raftboot.spring.lock.LockGrant;
import dev.raftboot.spring.lock.LockTable;
import dev.raftboot.spring.lock.LockTableListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What a {@link FaultCluster} node needs for the lock fault tests, on top of {@link
 * FaultNodeApplication}: the lock auto-configuration, a journal of the grants the node applies (for
 * the {@link MutualExclusionChecker}), and a lease expirer whose clock the broken variant can step
 * forward, as NTP steps a wall clock. State shared by the nodes of one run is static: one run at a
 * time per JVM.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(RaftLockAutoConfiguration.class)
class LockNodeConfiguration {

  /** Nanoseconds added to each node's expiry clock; only the broken variant sets them. */
  static final Map<Long, AtomicLong> CLOCK_STEPS = new ConcurrentHashMap<>();

  /** Where the nodes of the current run journal the grants they apply. */
  static volatile MutualExclusionChecker checker = new MutualExclusionChecker();

  @Bean
  LeaseExpirer raftLeaseExpirer(LockTable table, RaftLockProperties properties, RaftProperties raft) {
    AtomicLong step = CLOCK_STEPS.computeIfAbsent(raft.getNodeId(), k -> new AtomicLong());
    LeaseExpirer expirer =
        new LeaseExpirer(table, () -> System.nanoTime() + step.get(), properties.getExpiryCheckInterval());
    table.addListener(expirer);
    return expirer;
  }

  @Bean
  Object grantJournal(LockTable table, RaftProperties raft) {
    long node = raft.getNodeId();
    MutualExclusionChecker journal = checker;
    LockTableListener listener =
        new LockTableListener() {
          @Override
          public void leaseStarted(LockGrant g) {
            journal.applied(new MutualExclusionChecker.Applied(node, g.name(), g.owner(), g.token()));
          }
        };
    table.addListener(listener);
    return listener;
  }
}
