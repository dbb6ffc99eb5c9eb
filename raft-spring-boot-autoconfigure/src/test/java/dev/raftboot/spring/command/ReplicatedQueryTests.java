package dev.raftboot.spring.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReadTimeoutException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ReplicatedQueryTests {

  private final InProcessCluster cluster = new InProcessCluster(3);

  private final ApplicationContextRunner runner = ClusterRunner.runner(InventoryConfiguration.class);

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void queryWaitsForTheBarrierOfItsConsistencyAndRunsOnTheCallersThread() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          nodes.get(0).bean(Inventory.class).add("apples", 3);
          Inventory follower = nodes.get(2).bean(Inventory.class);
          String caller = Thread.currentThread().getName();

          assertThat(follower.count("apples")).isEqualTo(new Read(3, caller));
          assertThat(follower.leaseCount("apples")).isEqualTo(new Read(3, caller));
          cluster.awaitApplied();
          assertThat(follower.localCount("apples")).isEqualTo(new Read(3, caller));

          assertThat(cluster.member(3).barriers)
              .containsExactly(ReadConsistency.LINEARIZABLE, ReadConsistency.LEASE, ReadConsistency.LOCAL);
          assertThat(cluster.member(1).barriers).isEmpty();
          assertThat(cluster.size()).isEqualTo(1);
        });
  }

  @Test
  void futureQueryRunsOnceTheBarrierIsPassedOffTheApplyThread() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          nodes.get(0).bean(Inventory.class).add("pears", 2);
          CompletableFuture<Read> read = nodes.get(1).bean(Inventory.class).countLater("pears");
          Read r = read.get(5, TimeUnit.SECONDS);
          assertThat(r.count()).isEqualTo(2);
          assertThat(r.thread()).doesNotStartWith("test-apply");
          assertThat(cluster.member(2).barriers).containsExactly(ReadConsistency.LINEARIZABLE);
        });
  }

  @Test
  void localFutureQueryRunsAtOnceOnTheCallersThread() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          CompletableFuture<Read> read = nodes.get(1).bean(Inventory.class).localCountLater("plums");
          assertThat(read).isCompletedWithValue(new Read(0, Thread.currentThread().getName()));
        });
  }

  @Test
  void futureQueryThatThrowsFailsItsFuture() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          CompletableFuture<Read> read = nodes.get(1).bean(Inventory.class).countLater("");
          assertThat(catchThrowable(() -> read.get(5, TimeUnit.SECONDS)))
              .cause()
              .isExactlyInstanceOf(IllegalArgumentException.class);
        });
  }

  @Test
  void queryFromInsideACommandDoesNotWaitForABarrier() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Inventory inventory = nodes.get(0).bean(Inventory.class);
          inventory.add("figs", 4);
          assertThat(nodes.get(0).bean(Restocker.class).restock("figs", 10)).isEqualTo(10);
          cluster.awaitApplied();
          for (ClusterRunner.Node node : nodes) {
            assertThat(node.log().barriers).isEmpty();
            assertThat(node.bean(Inventory.class).stock()).containsEntry("figs", 10);
          }
        });
  }

  @Test
  void queryFailsWithReadTimeoutWhenNoLeaderConfirmsIt() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          cluster.stall();
          Inventory inventory = nodes.get(0).bean(Inventory.class);
          assertThatThrownBy(() -> inventory.count("x"))
              .isExactlyInstanceOf(ReadTimeoutException.class)
              .hasMessageContaining("read not confirmed");
          assertThat(catchThrowable(() -> inventory.countLater("x").get(5, TimeUnit.SECONDS)))
              .cause()
              .isExactlyInstanceOf(ReadTimeoutException.class);
          // LOCAL reads need no leader.
          assertThat(inventory.localCount("x").count()).isZero();
        });
  }

  /** A count and the thread that read it. */
  record Read(int count, String thread) {}

  static class Inventory {
    private final Map<String, Integer> stock = new ConcurrentHashMap<>();

    public Map<String, Integer> stock() {
      return stock;
    }

    @ReplicatedCommand
    public int add(String item, int quantity) {
      return stock.merge(item, quantity, Integer::sum);
    }

    @ReplicatedQuery
    public Read count(String item) {
      return read(item);
    }

    @ReplicatedQuery(consistency = ReadConsistency.LEASE)
    public Read leaseCount(String item) {
      return read(item);
    }

    @ReplicatedQuery(consistency = ReadConsistency.LOCAL)
    public Read localCount(String item) {
      return read(item);
    }

    @ReplicatedQuery
    public CompletableFuture<Read> countLater(String item) {
      return CompletableFuture.completedFuture(read(item));
    }

    @ReplicatedQuery(consistency = ReadConsistency.LOCAL)
    public CompletableFuture<Read> localCountLater(String item) {
      return CompletableFuture.completedFuture(read(item));
    }

    private Read read(String item) {
      if (item.isEmpty()) {
        throw new IllegalArgumentException("no item");
      }
      return new Read(stock.getOrDefault(item, 0), Thread.currentThread().getName());
    }
  }

  /** A command that reads through a query before it writes. */
  static class Restocker {
    private final Inventory inventory;

    Restocker(Inventory inventory) {
      this.inventory = inventory;
    }

    @ReplicatedCommand
    public int restock(String item, int target) {
      int missing = target - inventory.count(item).count();
      return missing > 0 ? inventory.add(item, missing) : target;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class InventoryConfiguration {

    @Bean
    Inventory inventory() {
      return new Inventory();
    }

    @Bean
    Restocker restocker(Inventory inventory) {
      return new Restocker(inventory);
    }
  }
}
