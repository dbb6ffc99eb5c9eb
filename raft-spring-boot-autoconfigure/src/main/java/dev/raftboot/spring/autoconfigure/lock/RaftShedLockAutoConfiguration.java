package dev.raftboot.spring.autoconfigure.lock;

import dev.raftboot.spring.lock.RaftLocks;
import dev.raftboot.spring.lock.shedlock.RaftLockProvider;
import net.javacrumbs.shedlock.core.LockProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * A ShedLock {@link RaftLockProvider} when ShedLock is on the class path and the application
 * defines no {@link LockProvider} of its own.
 */
@AutoConfiguration(after = RaftLockAutoConfiguration.class)
@ConditionalOnClass(LockProvider.class)
@ConditionalOnBean(RaftLocks.class)
public final class RaftShedLockAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(LockProvider.class)
  RaftLockProvider raftLockProvider(RaftLocks locks) {
    return new RaftLockProvider(locks);
  }
}
