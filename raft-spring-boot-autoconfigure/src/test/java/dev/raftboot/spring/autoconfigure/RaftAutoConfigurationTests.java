package dev.raftboot.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.StateType;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.runtime.RaftServerSettings;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.StringState;
import dev.raftboot.spring.transport.RaftTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class RaftAutoConfigurationTests {

  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(RaftStorageAutoConfiguration.class, RaftAutoConfiguration.class))
        .withPropertyValues(
            "raft.node-id=1",
            "raft.peers.1=http://localhost:8081",
            "raft.tick-interval=10ms",
            "raft.storage.data-dir=" + dir.toAbsolutePath());
  }

  @Test
  void singleNodeFromPropertiesElectsItselfAndAppliesCommands() {
    runner()
        .withUserConfiguration(NoNetwork.class, EchoApplier.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftServer.class);
              RaftServer server = context.getBean(RaftServer.class);
              assertThat(server.isRunning()).isTrue();
              Object result =
                  server.submit(ByteString.copyFromUtf8("hello")).get(10, TimeUnit.SECONDS);
              assertThat(result).isEqualTo("applied hello");
              assertThat(server.status().role()).isEqualTo(StateType.LEADER);
              assertThat(server.status().voters()).containsExactly(1L);
            });
  }

  @Test
  void appliesRaftPropertiesToTheNode() {
    runner()
        .withUserConfiguration(NoNetwork.class)
        .withPropertyValues("raft.election-tick=20", "raft.heartbeat-tick=2", "raft.cluster-id=orders")
        .run(
            context -> {
              RaftServer server = context.getBean(RaftServer.class);
              assertThat(server.clusterId()).isEqualTo("orders");
              assertThat(RaftAutoConfiguration.settings(context.getBean(RaftProperties.class), context.getBean(RaftSnapshotProperties.class), List.of()).raft().electionTick())
                  .isEqualTo(20);
            });
  }

  @Test
  void configCustomizersRunInOrderAfterTheProperties() {
    runner()
        .withUserConfiguration(NoNetwork.class, OrderedConfigCustomizers.class)
        .withPropertyValues("raft.max-inflight-msgs=64")
        .run(
            context -> {
              assertThat(OrderedConfigCustomizers.SEEN).containsExactly(64, 7);
              RaftServerSettings settings =
                  RaftAutoConfiguration.settings(
                      context.getBean(RaftProperties.class),
                      context.getBean(RaftSnapshotProperties.class),
                      context.getBeanProvider(RaftConfigCustomizer.class).orderedStream().toList());
              assertThat(settings.raft().maxInflightMsgs()).isEqualTo(8);
            });
  }

  @Test
  void theCustomizedConfigIsTheOneTheNodeStartsWith() {
    // heartbeat-tick 0 has no property route (the validator refuses it); only a customizer can set
    // it, and raft-core's own check then refuses the node at start.
    runner()
        .withUserConfiguration(NoNetwork.class)
        .withBean(RaftConfigCustomizer.class, () -> config -> config.heartbeatTick(0))
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("heartbeat tick must be greater than 0"));
  }

  @Test
  void backsOffWhenTheApplicationDefinesRaftServer() {
    runner()
        .withUserConfiguration(NoNetwork.class, OwnServer.class)
        .run(context -> assertThat(context).getBean(RaftServer.class).isSameAs(OwnServer.SERVER));
  }

  @Test
  void disabledByProperty() {
    runner()
        .withUserConfiguration(NoNetwork.class)
        .withPropertyValues("raft.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(RaftServer.class));
  }

  @Test
  void everyStateSnapshotterBeanIsSnapshottedAndRestoredUnderItsName() {
    long[] snapshotIndex = new long[1];
    runner()
        .withUserConfiguration(NoNetwork.class, TwoServices.class)
        .run(
            context -> {
              RaftServer server = context.getBean(RaftServer.class);
              server.submit(ByteString.copyFromUtf8("inventory:apples")).get(10, TimeUnit.SECONDS);
              server.submit(ByteString.copyFromUtf8("orders:42")).get(10, TimeUnit.SECONDS);
              snapshotIndex[0] = server.triggerSnapshot().get(10, TimeUnit.SECONDS);
              // The snapshot is written by the raft loop after the future completes.
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(10))
                  .until(() -> server.status().snapshotIndex() >= snapshotIndex[0]);
            });
    // A restart restores both parts from the snapshot; the entries below it are not replayed.
    runner()
        .withUserConfiguration(NoNetwork.class, TwoServices.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean("inventory", StringState.class).restoredFrom)
                  .isEqualTo("apples");
              assertThat(context.getBean("ordersBook", StringState.class).restoredFrom)
                  .isEqualTo("42");
              assertThat(context.getBean(RaftServer.class).status().applied())
                  .isGreaterThanOrEqualTo(snapshotIndex[0]);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class TwoServices {
    @Bean
    StringState inventory() {
      return new StringState("");
    }

    /** Stored as "orders", whatever the bean is called. */
    @Bean
    StringState ordersBook() {
      return new StringState("").named("orders");
    }

    @Bean
    CommandApplier applier(StringState inventory, StringState ordersBook) {
      return command -> {
        String[] target = command.toStringUtf8().split(":", 2);
        (target[0].equals("inventory") ? inventory : ordersBook).state = target[1];
        return null;
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class NoNetwork {
    @Bean
    RaftTransport raftTransport() {
      return new NoNetworkTransport();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class EchoApplier {
    @Bean
    CommandApplier applier() {
      return command -> "applied " + command.toStringUtf8();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OrderedConfigCustomizers {
    static final List<Integer> SEEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Bean
    @org.springframework.core.annotation.Order(2)
    RaftConfigCustomizer second() {
      return config -> {
        SEEN.add(config.maxInflightMsgs());
        config.maxInflightMsgs(config.maxInflightMsgs() + 1);
      };
    }

    @Bean
    @org.springframework.core.annotation.Order(1)
    RaftConfigCustomizer first() {
      return config -> {
        SEEN.add(config.maxInflightMsgs());
        config.maxInflightMsgs(7);
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnServer {
    static RaftServer SERVER;

    @Bean
    RaftServer raftServer(RaftProperties properties, dev.raftboot.spring.storage.RaftStorage storage, RaftTransport transport) {
      SERVER = new RaftServer(RaftAutoConfiguration.settings(properties, new RaftSnapshotProperties(), List.of()), storage, transport, c -> null, null, null);
      return SERVER;
    }
  }
}
