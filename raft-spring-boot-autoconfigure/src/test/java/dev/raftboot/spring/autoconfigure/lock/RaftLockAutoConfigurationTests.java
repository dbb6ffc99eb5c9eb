package dev.raftboot.spring.autoconfigure.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.autoconfigure.ReplicatedCommandAutoConfiguration;
import dev.raftboot.spring.command.ReplicatedMethodRegistry;
import dev.raftboot.spring.lock.LeaderWork;
import dev.raftboot.spring.lock.LeaderWorkCoordinator;
import dev.raftboot.spring.lock.LeaseExpirer;
import dev.raftboot.spring.lock.Leadership;
import dev.raftboot.spring.lock.LockTable;
import dev.raftboot.spring.lock.RaftLocks;
import dev.raftboot.spring.lock.integration.RaftLockRegistry;
import dev.raftboot.spring.lock.shedlock.RaftLockProvider;
import java.util.Optional;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.support.locks.DefaultLockRegistry;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.LockRegistry;

class RaftLockAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  ReplicatedCommandAutoConfiguration.class,
                  RaftLockAutoConfiguration.class,
                  RaftLockRegistryAutoConfiguration.class,
                  RaftShedLockAutoConfiguration.class))
          .withPropertyValues("raft.node-id=1", "raft.peers.1=http://localhost:8081");

  @Test
  void registersTheReplicatedLockTableAndTheLockServices() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(LockTable.class);
          assertThat(context).hasSingleBean(LeaseExpirer.class);
          assertThat(context).hasSingleBean(RaftLocks.class);
          assertThat(context).hasSingleBean(RaftLockRegistry.class);
          assertThat(context).hasSingleBean(RaftLockProvider.class);
          assertThat(context).doesNotHaveBean(LeaderWorkCoordinator.class);
          assertThat(AopUtils.isAopProxy(context.getBean(LockTable.class))).as("commands are replicated").isTrue();
          assertThat(context.getBean(ReplicatedMethodRegistry.class).commandIds(RaftLockAutoConfiguration.LOCK_TABLE_BEAN_NAME))
              .hasSize(4);
        });
  }

  @Test
  void runsLeaderWorkWhenTheApplicationHasSome() {
    runner
        .withUserConfiguration(SomeLeaderWork.class)
        .withPropertyValues("raft.lock.leader.ttl=3s", "raft.lock.leader.lock-name=jobs")
        .run(context -> assertThat(context).hasSingleBean(LeaderWorkCoordinator.class));
  }

  @Test
  void withoutSpringIntegrationThereIsNoLockRegistry() {
    runner
        .withClassLoader(new FilteredClassLoader(DistributedLock.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftLocks.class);
              assertThat(context).doesNotHaveBean(RaftLockRegistry.class);
            });
  }

  @Test
  void withoutShedLockThereIsNoLockProvider() {
    runner
        .withClassLoader(new FilteredClassLoader(LockProvider.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftLocks.class);
              assertThat(context).doesNotHaveBean(RaftLockProvider.class);
            });
  }

  @Test
  void backsOffForTheApplicationsOwnRegistryAndProvider() {
    runner
        .withUserConfiguration(OwnLocking.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(RaftLockRegistry.class);
              assertThat(context).doesNotHaveBean(RaftLockProvider.class);
              assertThat(context).getBean(LockRegistry.class).isInstanceOf(DefaultLockRegistry.class);
            });
  }

  @Test
  void disabledByProperty() {
    runner
        .withPropertyValues("raft.lock.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(LockTable.class);
              assertThat(context).doesNotHaveBean(RaftLockRegistry.class);
              assertThat(context).doesNotHaveBean(RaftLockProvider.class);
            });
  }

  @Test
  void aBadSafetyMarginStopsTheApplicationWithWhatToWrite() {
    runner
        .withPropertyValues("raft.lock.safety-margin=10")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("between 0 and 1 (such as 0.1)"));
  }

  @Configuration(proxyBeanMethods = false)
  static class SomeLeaderWork {
    @Bean
    LeaderWork work() {
      return new LeaderWork() {
        @Override
        public void onGranted(Leadership leadership) {}

        @Override
        public void onRevoked(Leadership leadership) {}
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnLocking {
    @Bean
    DefaultLockRegistry lockRegistry() {
      return new DefaultLockRegistry();
    }

    @Bean
    LockProvider lockProvider() {
      return new LockProvider() {
        @Override
        public Optional<SimpleLock> lock(LockConfiguration configuration) {
          return Optional.empty();
        }
      };
    }
  }
}
