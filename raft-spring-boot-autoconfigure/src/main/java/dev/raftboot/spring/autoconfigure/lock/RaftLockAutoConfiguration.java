package dev.raftboot.spring.autoconfigure.lock;

import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.autoconfigure.ReplicatedCommandAutoConfiguration;
import dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor;
import dev.raftboot.spring.lock.LeaderWork;
import dev.raftboot.spring.lock.LeaderWorkCoordinator;
import dev.raftboot.spring.lock.LeaseExpirer;
import dev.raftboot.spring.lock.LockTable;
import dev.raftboot.spring.lock.RaftLocks;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of replicated locks: the {@link LockTable} (replicated through
 * {@code @ReplicatedCommand} and snapshotted with the application's state), the {@link
 * LeaseExpirer}, {@link RaftLocks} for holders, and a {@link LeaderWorkCoordinator} when the
 * application has {@link LeaderWork} beans. Off with {@code raft.lock.enabled=false}.
 */
@AutoConfiguration(after = ReplicatedCommandAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "raft.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "raft.lock.enabled", matchIfMissing = true)
@ConditionalOnBean(ReplicatedMethodBeanPostProcessor.class)
@EnableConfigurationProperties({RaftProperties.class, RaftLockProperties.class})
public final class RaftLockAutoConfiguration {

  /** The lock table's bean name: it names the table's commands in the log on every node. */
  public static final String LOCK_TABLE_BEAN_NAME = "raftLockTable";

  @Bean(LOCK_TABLE_BEAN_NAME)
  @ConditionalOnMissingBean
  LockTable raftLockTable() {
    return new LockTable();
  }

  @Bean
  @ConditionalOnMissingBean
  LeaseExpirer raftLeaseExpirer(LockTable table, RaftLockProperties properties) {
    LeaseExpirer expirer = new LeaseExpirer(table, System::nanoTime, properties.getExpiryCheckInterval());
    table.addListener(expirer);
    return expirer;
  }

  @Bean
  @ConditionalOnMissingBean
  RaftLocks raftLocks(LockTable table, RaftProperties raft, RaftLockProperties properties) {
    RaftLocks locks =
        new RaftLocks(
            table, raft.getNodeId(), properties.getSafetyMargin(), raft.getCommandTimeout(), System::nanoTime);
    table.addListener(locks);
    return locks;
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(LeaderWork.class)
  LeaderWorkCoordinator raftLeaderWorkCoordinator(
      RaftLocks locks, ObjectProvider<LeaderWork> work, RaftLockProperties properties) {
    return new LeaderWorkCoordinator(
        locks,
        work.orderedStream().toList(),
        properties.getLeader().getLockName(),
        properties.getLeader().getTtl());
  }
}
