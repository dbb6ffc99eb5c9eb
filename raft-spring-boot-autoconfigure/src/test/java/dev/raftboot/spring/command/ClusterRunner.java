package dev.raftboot.spring.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.spi.CommandApplier;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Starts one application context per member of an {@link InProcessCluster} (each with its own
 * beans), runs a test against them, and then checks that every member applied the same entries
 * with the same outcomes.
 */
final class ClusterRunner {

  /** One simulated node: its application context and its view of the log. */
  record Node(AssertableApplicationContext context, InProcessCluster.Member log) {

    <T> T bean(Class<T> type) {
      return context.getBean(type);
    }
  }

  @FunctionalInterface
  interface ClusterTest {
    void run(List<Node> nodes) throws Throwable;
  }

  private ClusterRunner() {}

  static ApplicationContextRunner runner(Class<?>... userConfigurations) {
    return new ApplicationContextRunner()
        .withUserConfiguration(ReplicationTestConfiguration.class)
        .withUserConfiguration(userConfigurations);
  }

  static void run(InProcessCluster cluster, ApplicationContextRunner runner, ClusterTest test) {
    start(cluster, runner, new ArrayList<>(), test);
  }

  private static void start(
      InProcessCluster cluster, ApplicationContextRunner runner, List<Node> nodes, ClusterTest test) {
    InProcessCluster.Member member = cluster.member(nodes.size() + 1);
    runner
        .withBean("replicatedLog", ReplicatedLog.class, () -> member)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              member.attach(context.getBean(CommandApplier.class));
              nodes.add(new Node(context, member));
              if (nodes.size() < cluster.members().size()) {
                start(cluster, runner, nodes, test);
                return;
              }
              test.run(List.copyOf(nodes));
              cluster.awaitApplied();
              List<String> first = cluster.member(1).outcomes;
              for (InProcessCluster.Member m : cluster.members()) {
                assertThat(m.outcomes).as("outcomes on member %d", m.id).isEqualTo(first);
              }
            });
  }
}
