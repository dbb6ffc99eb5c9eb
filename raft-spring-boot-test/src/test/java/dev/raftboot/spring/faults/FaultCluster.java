package dev.raftboot.spring.faults;

import dev.raftboot.StateType;
import dev.raftboot.spring.api.RaftStatus;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.testkit.cluster.Firewall;
import dev.raftboot.spring.testkit.cluster.RaftTestCluster;
import dev.raftboot.spring.testkit.cluster.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three to five Spring Boot nodes in one JVM on the kit's {@link RaftTestCluster}: each its own
 * application context ({@link FaultNodeApplication}) with its own H2 file log, wired by the kit's
 * in-memory network, whose {@link Firewall} the faults go through. Nodes can be stopped abruptly
 * ({@link RaftTestCluster#crash}) and restarted on the same log.
 */
final class FaultCluster implements AutoCloseable {

  /** A running node: its context and the beans the tests use. */
  record Node(long id, ConfigurableApplicationContext context, RaftServer server, KvStore kv) {}

  private final int size;
  private final long seed;
  private final Map<String, String> extraProperties;
  private final List<Class<?>> sources = new ArrayList<>(List.of(FaultNodeApplication.class));
  private final Map<Long, Node> nodes = new ConcurrentHashMap<>();
  private @Nullable Long fakeReadBarrierNode;
  private @Nullable RaftTestCluster cluster;

  FaultCluster(int size, long seed, Map<String, String> extraProperties) {
    if (size < 3 || size > 5) {
      throw new IllegalArgumentException("3 to 5 nodes, not " + size);
    }
    this.size = size;
    this.seed = seed;
    this.extraProperties = Map.copyOf(extraProperties);
  }

  /** Makes node {@code id} the broken variant ({@link FaultNodeApplication#FAKE_READ_BARRIER_NODE}). */
  FaultCluster fakeReadBarrierOn(long id) {
    fakeReadBarrierNode = id;
    return this;
  }

  /** Configuration classes every node runs besides {@link FaultNodeApplication}. */
  FaultCluster withSources(Class<?>... configurations) {
    sources.addAll(List.of(configurations));
    return this;
  }

  int size() {
    return size;
  }

  List<Long> ids() {
    List<Long> ids = new ArrayList<>();
    for (long id = 1; id <= size; id++) {
      ids.add(id);
    }
    return ids;
  }

  Firewall firewall() {
    return cluster().firewall();
  }

  void startAll() {
    RaftTestCluster.Builder builder =
        configure(RaftTestCluster.of(sources.toArray(Class<?>[]::new)).nodes(size));
    if (fakeReadBarrierNode != null) {
      builder.property(FaultNodeApplication.FAKE_READ_BARRIER_NODE, fakeReadBarrierNode);
    }
    extraProperties.forEach(builder::property);
    cluster = builder.start();
    cluster.firewall().seed(seed);
    for (long id : ids()) {
      nodes.put(id, node(cluster.node(id)));
    }
  }

  /**
   * The settings of every fault-test node: no web server, quiet logs, fast ticks, a short command
   * timeout and frequent snapshots (so lagging and new nodes catch up through one).
   */
  static RaftTestCluster.Builder configure(RaftTestCluster.Builder builder) {
    builder.property("spring.main.web-application-type", "none");
    builder.property("spring.main.banner-mode", "off");
    builder.property("spring.main.log-startup-info", "false");
    builder.property("spring.jmx.enabled", "false");
    builder.property("logging.level.root", "warn");
    builder.property("logging.level.dev.raftboot", "error");
    builder.property("raft.cluster-id", "faults");
    builder.property("raft.tick-interval", "10ms");
    builder.property("raft.election-tick", "10");
    builder.property("raft.heartbeat-tick", "1");
    builder.property("raft.command-timeout", "1500ms");
    builder.property("raft.snapshot.entries", "300");
    builder.property("raft.snapshot.keep-entries", "100");
    return builder;
  }

  /** Starts node {@code id} again on its log. */
  synchronized Node start(long id) {
    if (nodes.containsKey(id)) {
      throw new IllegalStateException("node " + id + " is already running");
    }
    Node node = node(cluster().restart(id));
    nodes.put(id, node);
    return node;
  }

  private static Node node(TestNode n) {
    return new Node(n.id(), n.context(), n.server(), n.bean(KvStore.class));
  }

  private RaftTestCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException("start the cluster first");
    }
    return cluster;
  }

  /** Heals the network and starts every node that is down. */
  void healAndStartAll() {
    firewall().heal();
    for (long id : ids()) {
      if (node(id).isEmpty()) {
        start(id);
      }
    }
  }

  /** Stops node {@code id} abruptly: no leadership transfer, in-flight calls fail. */
  synchronized void kill(long id) {
    if (nodes.remove(id) != null) {
      cluster().crash(id);
    }
  }

  /** The running node {@code id}, if it is up. */
  Optional<Node> node(long id) {
    return Optional.ofNullable(nodes.get(id));
  }

  List<Node> running() {
    List<Node> out = new ArrayList<>();
    for (long id : ids()) {
      Node n = nodes.get(id);
      if (n != null) {
        out.add(n);
      }
    }
    return out;
  }

  Set<Long> runningIds() {
    return Set.copyOf(nodes.keySet());
  }

  /** A running node chosen with {@code random}, or empty if none runs. */
  Optional<Node> randomRunning(SplittableRandom random) {
    List<Node> up = running();
    return up.isEmpty() ? Optional.empty() : Optional.of(up.get(random.nextInt(up.size())));
  }

  /** The node that believes it leads in the highest term, if any. */
  Optional<Long> leader() {
    long best = 0;
    long bestTerm = -1;
    for (Node n : running()) {
      try {
        RaftStatus st = n.server().status();
        if (st.role() == StateType.LEADER && st.term() > bestTerm) {
          best = n.id();
          bestTerm = st.term();
        }
      } catch (RuntimeException e) {
        // Stopping or stopped meanwhile.
      }
    }
    return best == 0 ? Optional.empty() : Optional.of(best);
  }

  Optional<Long> awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Long> l = leader();
      if (l.isPresent()) {
        return l;
      }
      Thread.sleep(20);
    }
    return Optional.empty();
  }

  /**
   * Waits until every running node passes a linearizable read barrier and all hold the same map;
   * returns the maps by node.
   */
  Map<Long, Map<String, String>> awaitConverged(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Long, Map<String, String>> maps = new TreeMap<>();
    while (true) {
      maps.clear();
      boolean barriers = true;
      for (Node n : running()) {
        try {
          n.server().readBarrier(ReadConsistency.LINEARIZABLE).get(2, TimeUnit.SECONDS);
          maps.put(n.id(), n.kv().contents());
        } catch (Exception e) {
          barriers = false;
        }
      }
      if (barriers && maps.size() == size && maps.values().stream().distinct().count() == 1) {
        return maps;
      }
      if (System.nanoTime() > deadline) {
        return maps;
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    for (long id : ids()) {
      try {
        kill(id);
      } catch (RuntimeException e) {
        // Carry on closing the others.
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }
}
