package dev.raftboot.spring.autoconfigure.lock;

import dev.raftboot.spring.lock.RaftLocks;
import dev.raftboot.spring.lock.integration.RaftLockRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * A Spring Integration {@link RaftLockRegistry} when Spring Integration is on the class path and
 * the application defines no {@link LockRegistry} of its own.
 */
@AutoConfiguration(after = RaftLockAutoConfiguration.class)
@ConditionalOnClass(DistributedLock.class)
@ConditionalOnBean(RaftLocks.class)
public final class RaftLockRegistryAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(LockRegistry.class)
  RaftLockRegistry raftLockRegistry(RaftLocks locks, RaftLockProperties properties) {
    return new RaftLockRegistry(locks, properties.getDefaultTtl());
  }
}
