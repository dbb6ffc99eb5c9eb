package dev.raftboot.spring.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.metrics.RaftMetrics;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.RaftTestNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class RaftMetricsAutoConfigurationTests {

  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                RaftStorageAutoConfiguration.class,
                RaftAutoConfiguration.class,
                RaftMetricsAutoConfiguration.class))
        .withBean(CommandApplier.class, () -> command -> command.toStringUtf8())
        .withPropertyValues(RaftTestNode.singleNode(dir));
  }

  @Test
  void bindsNodeMetersTaggedWithTheNodeId() {
    runner()
        .withBean(NoNetworkTransport.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftMetrics.class);
              RaftServer server = context.getBean(RaftServer.class);
              RaftTestNode.awaitLeader(server);
              server.submit(ByteString.copyFromUtf8("x")).get(30, TimeUnit.SECONDS);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              await()
                  .atMost(Duration.ofSeconds(5))
                  .until(() -> registry.get("raft.applied.index").tag("node", "1").gauge().value() >= 3);
              assertThat(registry.get("raft.term").tag("node", "1").gauge().value()).isPositive();
              assertThat(registry.get("raft.is.leader").tag("node", "1").gauge().value()).isEqualTo(1);
              assertThat(registry.get("raft.has.leader").tag("node", "1").gauge().value()).isEqualTo(1);
              assertThat(registry.get("raft.commit.index").tag("node", "1").gauge().value()).isGreaterThanOrEqualTo(3);
              assertThat(registry.get("raft.apply.lag").tag("node", "1").gauge().value()).isGreaterThanOrEqualTo(0);
              assertThat(registry.get("raft.leader.changes").tag("node", "1").functionCounter().count())
                  .isGreaterThanOrEqualTo(1);
              assertThat(registry.get("raft.proposals.committed").tag("node", "1").functionCounter().count())
                  .isEqualTo(1);
              assertThat(registry.get("raft.proposals.failed").tag("node", "1").functionCounter().count()).isZero();
              for (String name :
                  new String[] {"raft.snapshots.taken", "raft.snapshots.sent", "raft.snapshots.failed", "raft.snapshots.received"}) {
                assertThat(registry.get(name).tag("node", "1").functionCounter().count()).as(name).isZero();
              }
              Timer persist = registry.get("raft.persist").tag("node", "1").timer();
              assertThat(persist.count()).isPositive();
              assertThat(persist.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            });
  }

  @Test
  void bindsNoPeerMetersWhenTheTransportKeepsNoCounters() {
    runner()
        .withBean(NoNetworkTransport.class)
        .run(context -> assertThat(context.getBean(MeterRegistry.class).find("raft.messages.sent").meters()).isEmpty());
  }

  @Test
  void bindsTrafficMetersPerPeerWhenTheTransportCountsThem() {
    NoNetworkTransport.Counting transport = new NoNetworkTransport.Counting();
    transport.set(2, 10, 1000, 1, 100);
    runner()
        .withBean(NoNetworkTransport.Counting.class, () -> transport)
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(registry.get("raft.messages.sent").tags("node", "1", "peer", "2").functionCounter().count())
                  .isEqualTo(10);
              assertThat(
                      registry.get("raft.messages.sent.bytes").tags("node", "1", "peer", "2").functionCounter().count())
                  .isEqualTo(1000);
              assertThat(registry.get("raft.messages.dropped").tags("node", "1", "peer", "2").functionCounter().count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("raft.messages.dropped.bytes")
                          .tags("node", "1", "peer", "2")
                          .functionCounter()
                          .getId()
                          .getBaseUnit())
                  .isEqualTo("bytes");
              transport.set(2, 12, 1200, 1, 100);
              assertThat(registry.get("raft.messages.sent").tags("node", "1", "peer", "2").functionCounter().count())
                  .isEqualTo(12);
            });
  }

  @Test
  void bindsTrafficMetersForMembersAddedLater() {
    runner()
        .withBean(NoNetworkTransport.Counting.class)
        .run(
            context -> {
              RaftServer server = context.getBean(RaftServer.class);
              RaftTestNode.awaitLeader(server);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(registry.find("raft.messages.sent").tag("peer", "3").functionCounter()).isNull();
              server.addLearner(3, URI.create("http://localhost:8083")).get(30, TimeUnit.SECONDS);
              // Meters for a new member are bound when its membership event arrives.
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(30))
                  .untilAsserted(
                      () ->
                          assertThat(
                                  registry
                                      .get("raft.messages.sent")
                                      .tags("node", "1", "peer", "3")
                                      .functionCounter()
                                      .count())
                              .isZero());
            });
  }

  @Test
  void backsOffWhenTheApplicationDefinesRaftMetrics() {
    runner()
        .withBean(NoNetworkTransport.class)
        .withUserConfiguration(OwnMetrics.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftMetrics.class);
              assertThat(context).hasBean("ownRaftMetrics");
              assertThat(context.getBean(MeterRegistry.class).find("raft.term").gauge()).isNull();
            });
  }

  @Test
  void bindsNothingWithoutMicrometer() {
    runner()
        .withBean(NoNetworkTransport.class)
        .withClassLoader(new FilteredClassLoader(MeterBinder.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftServer.class);
              assertThat(context).doesNotHaveBean(RaftMetrics.class);
            });
  }

  @Test
  void bindsNothingWithoutRaftServer() {
    runner()
        .withBean(NoNetworkTransport.class)
        .withPropertyValues("raft.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(RaftMetrics.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnMetrics {

    @Bean
    RaftMetrics ownRaftMetrics(RaftServer server) {
      return new RaftMetrics(server.metrics(), null) {
        @Override
        public void bindTo(MeterRegistry registry) {}
      };
    }
  }
}
