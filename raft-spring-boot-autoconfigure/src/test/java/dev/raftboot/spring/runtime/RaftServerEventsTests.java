package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.raftboot.spring.api.RaftLeaderChangedEvent;
import dev.raftboot.spring.api.RaftMembershipChangedEvent;
import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.RaftTestNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.event.EventListener;

/** The application events a {@link RaftServer} publishes, as an {@code @EventListener} sees them. */
class RaftServerEventsTests {

  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(RaftStorageAutoConfiguration.class, RaftAutoConfiguration.class))
        .withBean(NoNetworkTransport.class)
        .withBean(Listener.class)
        .withPropertyValues(RaftTestNode.singleNode(dir));
  }

  @Test
  void publishesLeaderChangedWhenASingleNodeElectsItself() {
    runner()
        .run(
            context -> {
              Listener listener = context.getBean(Listener.class);
              await().atMost(Duration.ofSeconds(30)).until(() -> !listener.leaderChanges.isEmpty());
              RaftLeaderChangedEvent event = listener.leaderChanges.get(0);
              assertThat(event.nodeId()).isEqualTo(1);
              assertThat(event.leaderId()).isEqualTo(1);
              assertThat(event.isLocalLeader()).isTrue();
              assertThat(event.term()).isPositive();
              assertThat(event.getSource()).isSameAs(context.getBean(RaftServer.class));
            });
  }

  @Test
  void publishesMembershipChangedForTheBootstrapConfigurationAndAnAddedLearner() {
    runner()
        .run(
            context -> {
              RaftServer server = context.getBean(RaftServer.class);
              Listener listener = context.getBean(Listener.class);
              RaftTestNode.awaitLeader(server);
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(30))
                  .until(() -> !listener.membershipChanges.isEmpty());
              assertThat(listener.membershipChanges.get(0).voters()).containsExactly(1L);
              server.addLearner(2, URI.create("http://localhost:8082")).get(30, TimeUnit.SECONDS);
              // Events are delivered in order on their own thread, shortly after the change.
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(30))
                  .untilAsserted(
                      () -> {
                        RaftMembershipChangedEvent last =
                            listener.membershipChanges.get(listener.membershipChanges.size() - 1);
                        assertThat(last.voters()).containsExactly(1L);
                        assertThat(last.learners()).containsExactly(2L);
                      });
            });
  }

  static class Listener {

    final List<RaftLeaderChangedEvent> leaderChanges = new CopyOnWriteArrayList<>();
    final List<RaftMembershipChangedEvent> membershipChanges = new CopyOnWriteArrayList<>();

    @EventListener
    void onLeaderChanged(RaftLeaderChangedEvent event) {
      leaderChanges.add(event);
    }

    @EventListener
    void onMembershipChanged(RaftMembershipChangedEvent event) {
      membershipChanges.add(event);
    }
  }
}
