package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.ReadTimeoutException;
import dev.raftboot.spring.command.CommandCodec;
import dev.raftboot.spring.command.ReplicatedCallDispatcher;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedCommandApplier;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import dev.raftboot.spring.test.ReplicatedKv;
import dev.raftboot.spring.test.ReplicatedMethodsWiring;
import dev.raftboot.spring.testkit.cluster.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Replicated methods end to end: three application contexts, each with a real {@link RaftServer}
 * (H2 in-memory storage, in-JVM network) wired to the replicated-method beans.
 */
class ReplicatedMethodsOnRaftServerTest {

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final String run = UUID.randomUUID().toString();

  @AfterEach
  void closeNetwork() {
    network.close();
  }

  @Test
  void callsOnAnyNodeAreAppliedOnEveryNodeAndReadableLinearizably() {
    startCluster(
        nodes -> {
          // Calls are retried only while no leader is known (the machine may be slow enough for
          // leadership to move): those failures mean "not applied".
          ReplicatedKv kv1 = nodes.get(0).getBean(ReplicatedKv.class);
          ReplicatedKv kv2 = nodes.get(1).getBean(ReplicatedKv.class);
          ReplicatedKv kv3 = nodes.get(2).getBean(ReplicatedKv.class);
          assertThat(retry(() -> kv2.put("a", "1"))).isNull();
          assertThat(retry(() -> kv1.put("a", "2"))).isEqualTo("1");
          // A linearizable read on another node sees the acknowledged write.
          assertThat(retry(() -> kv3.get("a"))).isEqualTo("2");
          assertThat(retry(() -> kv3.leaseGet("a"))).isEqualTo("2");

          // A command that queries and calls another command runs them locally while applied.
          Copier copier = nodes.get(2).getBean(Copier.class);
          assertThat(retry(() -> copier.copy("a", "b"))).isEqualTo("2");
          assertThat(retry(() -> kv2.get("b"))).isEqualTo("2");

          assertThatThrownBy(() -> retry(() -> kv2.put("", "x")))
              .isExactlyInstanceOf(IllegalArgumentException.class)
              .hasMessage("empty key");
          assertThat(retry(() -> kv2.putLater("c", "3").join())).isNull();

          for (AssertableApplicationContext node : nodes) {
            ReplicatedKv kv = node.getBean(ReplicatedKv.class);
            assertThat(retry(() -> kv.get("c"))).isEqualTo("3");
            assertThat(kv.local()).isEqualTo(Map.of("a", "2", "b", "2", "c", "3"));
          }
        });
  }

  private interface NodesTest {
    void run(List<AssertableApplicationContext> nodes) throws Exception;
  }

  private void startCluster(NodesTest test) {
    start(new ArrayList<>(), test);
  }

  private void start(List<AssertableApplicationContext> nodes, NodesTest test) {
    long id = nodes.size() + 1;
    new ApplicationContextRunner()
        .withUserConfiguration(NodeConfiguration.class)
        .withBean("raftServerSettings", RaftServerSettings.class, () -> settings(id))
        .withBean("testNetwork", TestNetwork.class, () -> new TestNetwork(network))
        .withBean("dataSource", JdbcDataSource.class, () -> dataSource(id))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              nodes.add(context);
              if (nodes.size() < 3) {
                start(nodes, test);
              } else {
                test.run(nodes);
              }
            });
  }

  private JdbcDataSource dataSource(long id) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + run + "-" + id + ";DB_CLOSE_DELAY=-1");
    JdbcStorageSchema.create(ds);
    return ds;
  }

  private static RaftServerSettings settings(long id) {
    return ServerCluster.settings(id, ServerCluster.peers(3), Duration.ofMillis(50), Duration.ofSeconds(5), 0, 10);
  }

  /** Retries {@code call} while it fails in a way that means it had no effect. */
  private static <T> T retry(Supplier<T> call) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        boolean noEffect = cause instanceof NoLeaderException || cause instanceof ReadTimeoutException;
        if (!noEffect || System.nanoTime() > deadline) {
          throw cause instanceof RuntimeException re ? re : e;
        }
        Thread.sleep(20);
      }
    }
  }

  /** The shared network, held so that no context closes it when it closes. */
  record TestNetwork(InMemoryNetwork network) {}

  static class Copier {
    private final ReplicatedKv kv;

    Copier(ReplicatedKv kv) {
      this.kv = kv;
    }

    @ReplicatedCommand
    public String copy(String from, String to) {
      String value = kv.get(from);
      kv.put(to, value);
      return value;
    }
  }

  /** What the auto-configuration wires for one node, with test storage and transport. */
  @Configuration(proxyBeanMethods = false)
  @Import(ReplicatedMethodsWiring.class)
  static class NodeConfiguration {

    @Bean
    ReplicatedCallDispatcher replicatedCallDispatcher(
        ObjectProvider<RaftServer> server, CommandCodec codec, RaftServerSettings settings) {
      return new ReplicatedCallDispatcher(server::getObject, codec, settings.commandTimeout());
    }

    @Bean
    RaftServer raftServer(
        RaftServerSettings settings,
        JdbcDataSource dataSource,
        TestNetwork testNetwork,
        ReplicatedCommandApplier applier,
        ApplicationEventPublisher events) {
      InMemoryNetwork network = testNetwork.network();
      RaftServer server =
          new RaftServer(
              settings,
              JdbcStorage.create(dataSource, settings.nodeId()),
              network.transportFor(settings.nodeId()),
              applier,
              null,
              events);
      network.attach(server);
      return server;
    }

    @Bean
    ReplicatedKv kv() {
      return new ReplicatedKv();
    }

    @Bean
    Copier copier(ReplicatedKv kv) {
      return new Copier(kv);
    }
  }
}
