package dev.raftboot.spring.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.health.RaftHealthIndicator;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.RaftTestNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class RaftHealthAutoConfigurationTests {

  @TempDir Path dir;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  RaftStorageAutoConfiguration.class,
                  RaftAutoConfiguration.class,
                  RaftHealthAutoConfiguration.class))
          .withBean(NoNetworkTransport.class);

  @Test
  void createsHealthIndicatorNamedRaft() {
    runner
        .withPropertyValues(RaftTestNode.singleNode(dir))
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftHealthIndicator.class);
              assertThat(context).hasBean("raftHealthIndicator");
            });
  }

  @Test
  void isUpOnASingleNodeThatElectedItself() {
    runner
        .withPropertyValues(RaftTestNode.singleNode(dir))
        .run(
            context -> {
              RaftTestNode.awaitLeader(context.getBean(RaftServer.class));
              Health health = context.getBean(RaftHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("role", "leader")
                  .containsEntry("leader", 1L)
                  .containsEntry("leaderUrl", "http://localhost:8081")
                  .containsEntry("member", true)
                  .containsKeys("term", "commit", "applied", "lag");
              assertThat((long) health.getDetails().get("term")).isPositive();
            });
  }

  @Test
  void isOutOfServiceWhileNoLeaderIsKnown() {
    runner
        .withPropertyValues(RaftTestNode.leaderlessNode(dir))
        .run(
            context -> {
              RaftServer server = context.getBean(RaftServer.class);
              await().atMost(Duration.ofSeconds(30)).until(() -> !server.members().isEmpty());
              Thread.sleep(300); // several election timeouts: still no leader
              Health health = context.getBean(RaftHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
              assertThat(health.getDetails())
                  .containsEntry("reason", "no leader known")
                  .containsEntry("leader", 0L)
                  .containsEntry("member", true);
            });
  }

  @Test
  void isDownOnceTheNodeStopped() {
    runner
        .withPropertyValues(RaftTestNode.singleNode(dir))
        .run(
            context -> {
              RaftServer server = context.getBean(RaftServer.class);
              RaftTestNode.awaitLeader(server);
              server.stop();
              Health health = context.getBean(RaftHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.DOWN);
              assertThat(health.getDetails())
                  .containsEntry("reason", "raft node is not running")
                  .containsEntry("leader", 0L);
            });
  }

  @Test
  void disabledByManagementHealthRaftEnabled() {
    runner
        .withPropertyValues(RaftTestNode.singleNode(dir))
        .withPropertyValues("management.health.raft.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(RaftHealthIndicator.class));
  }

  @Test
  void disabledWithAllDefaultHealthIndicators() {
    runner
        .withPropertyValues(RaftTestNode.singleNode(dir))
        .withPropertyValues("management.health.defaults.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(RaftHealthIndicator.class));
  }

  @Test
  void backsOffWhenTheApplicationDefinesRaftHealthIndicator() {
    runner
        .withPropertyValues(RaftTestNode.singleNode(dir))
        .withUserConfiguration(OwnIndicator.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(HealthIndicator.class);
              assertThat(context.getBean("raftHealthIndicator").getClass()).isNotEqualTo(RaftHealthIndicator.class);
            });
  }

  @Test
  void createsNoIndicatorWithoutSpringBootHealth() {
    runner
        .withPropertyValues(RaftTestNode.singleNode(dir))
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftServer.class);
              assertThat(context).doesNotHaveBean(RaftHealthIndicator.class);
            });
  }

  @Test
  void createsNoIndicatorWithoutRaftServer() {
    runner
        .withPropertyValues("raft.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(RaftHealthIndicator.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnIndicator {

    @Bean
    HealthIndicator raftHealthIndicator() {
      return () -> Health.up().build();
    }
  }
}
