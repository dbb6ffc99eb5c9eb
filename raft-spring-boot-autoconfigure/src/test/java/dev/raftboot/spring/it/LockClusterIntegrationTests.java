package dev.raftboot.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.lock.LockLease;
import dev.raftboot.spring.lock.RaftLocks;
import dev.raftboot.spring.lock.shedlock.RaftLockProvider;
import dev.raftboot.spring.runtime.RaftServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Locks across three Boot applications in one JVM over the real HTTP peer transport: Spring
 * Integration's own {@code LockRegistryLeaderInitiator} on the raft lock registry, ShedLock's
 * executor on the raft lock provider, and {@code LeaderWork}, each with its leader killed.
 */
class LockClusterIntegrationTests {

  @TempDir Path dir;

  private final int[] ports = new int[4];
  private final Map<Integer, ConfigurableApplicationContext> nodes = new TreeMap<>();

  @BeforeEach
  void clear() {
    LockTestApplication.EVENTS.clear();
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(ConfigurableApplicationContext::close);
  }

  private void startCluster(String... extra) throws IOException {
    for (int i = 1; i <= 3; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
    }
    for (int id = 1; id <= 3; id++) {
      start(id, extra);
    }
  }

  private void start(int id, String... extra) {
    List<String> props = new ArrayList<>();
    props.add("server.port=" + ports[id]);
    props.add("raft.node-id=" + id);
    props.add("raft.cluster-id=locks");
    props.add("raft.tick-interval=20ms");
    props.add("raft.transport.token=lock-cluster-test-secret");
    props.add("raft.storage.data-dir=" + dir.resolve("node-" + id));
    props.add("raft.lock.default-ttl=2s");
    props.add("raft.lock.leader.ttl=2s");
    props.add("spring.main.banner-mode=off");
    props.add("logging.level.root=warn");
    for (int p = 1; p <= 3; p++) {
      props.add("raft.peers." + p + "=http://127.0.0.1:" + ports[p]);
    }
    props.addAll(List.of(extra));
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(LockTestApplication.class).properties(props.toArray(String[]::new)).run();
    nodes.put(id, ctx);
  }

  private void kill(int id) {
    ConfigurableApplicationContext ctx = nodes.remove(id);
    ctx.getBean(RaftServer.class).halt();
    ctx.close();
  }

  /** The node leading now by the recorded events, waiting up to {@code timeout} for one. */
  private static int awaitLeading(Duration timeout, int... notThese) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Map<Integer, Boolean> leading = new TreeMap<>();
      for (LockTestApplication.Event e : LockTestApplication.EVENTS) {
        leading.put(e.node(), e.granted());
      }
      for (Map.Entry<Integer, Boolean> e : leading.entrySet()) {
        if (e.getValue() && java.util.Arrays.stream(notThese).noneMatch(n -> n == e.getKey())) {
          return e.getKey();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("nobody leads: " + LockTestApplication.EVENTS);
  }

  /** No two nodes lead at once, and every new leadership has a larger token. */
  private static void assertOneLeaderAtATime() {
    List<LockTestApplication.Event> events = List.copyOf(LockTestApplication.EVENTS);
    Integer leading = null;
    long lastToken = 0;
    for (LockTestApplication.Event e : events) {
      if (e.granted()) {
        assertThat(leading).as("granted to %d while %s leads: %s", e.node(), leading, events).isNull();
        leading = e.node();
        assertThat(e.token()).as("token of %s", e).isGreaterThan(lastToken);
        lastToken = e.token();
      } else if (leading != null && leading == e.node()) {
        leading = null;
      }
    }
  }

  @Test
  void springIntegrationsLeaderInitiatorElectsOneLeaderAndMovesItWhenTheLeaderDies() throws Exception {
    oneLeaderThatMovesWhenItsNodeDies("locktest.initiator=true");
  }

  @Test
  void leaderWorkRunsOnOneNodeAndMovesWhenItsNodeDies() throws Exception {
    oneLeaderThatMovesWhenItsNodeDies("locktest.leader-work=true");
  }

  private void oneLeaderThatMovesWhenItsNodeDies(String leaderProperty) throws Exception {
    startCluster(leaderProperty);
    int first = awaitLeading(Duration.ofSeconds(60));
    Thread.sleep(1500); // several renewals: the leader keeps the lease, nobody else gets in
    assertOneLeaderAtATime();
    kill(first);
    int second = awaitLeading(Duration.ofSeconds(60), first);
    assertThat(second).isNotEqualTo(first);
    assertOneLeaderAtATime();
  }

  /** Every node's scheduler fires the same job each period; ShedLock lets one run it. */
  @Test
  void aShedLockJobRunsOncePerPeriodAcrossTheCluster() throws Exception {
    startCluster();
    List<DefaultLockingTaskExecutor> executors = new ArrayList<>();
    for (ConfigurableApplicationContext ctx : nodes.values()) {
      executors.add(new DefaultLockingTaskExecutor(ctx.getBean(RaftLockProvider.class)));
    }
    // A first lock, so that a leader is there before the periods start.
    LockLease warmUp =
        nodes.get(1).getBean(RaftLocks.class).tryAcquire("warm-up", Duration.ofSeconds(5), Duration.ofSeconds(60)).orElseThrow();
    warmUp.release();
    int periods = 5;
    List<Integer> runsPerPeriod = new ArrayList<>();
    for (int period = 0; period < periods; period++) {
      AtomicInteger runs = new AtomicInteger();
      List<CompletableFuture<Void>> firing = new ArrayList<>();
      for (DefaultLockingTaskExecutor executor : executors) {
        firing.add(
            CompletableFuture.runAsync(
                () ->
                    executor.executeWithLock(
                        (Runnable) runs::incrementAndGet,
                        new LockConfiguration(Instant.now(), "report", Duration.ofSeconds(10), Duration.ofMillis(400)))));
      }
      firing.forEach(f -> f.orTimeout(30, TimeUnit.SECONDS).join());
      runsPerPeriod.add(runs.get());
      Thread.sleep(700); // the next period, after lockAtLeastFor has passed
    }
    assertThat(runsPerPeriod).as("runs per period").containsOnly(1);
    Optional<dev.raftboot.spring.lock.LockGrant> holder = nodes.get(2).getBean(RaftLocks.class).holder("report");
    assertThat(holder).as("released after the last period").isEmpty();
  }
}
