package dev.raftboot.spring.faults;

import dev.raftboot.StateType;
import dev.raftboot.spring.api.RaftStatus;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.runtime.RaftServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three to five Spring Boot nodes in one JVM, each its own application context with its own H2
 * file database under {@code dir/node-<id>}, wired by one {@link FaultyNetwork}. Nodes can be
 * stopped abruptly ({@link RaftServer#halt()} and the context closed) and restarted on the same
 * database (a new context on the same data directory).
 */
final class FaultCluster implements AutoCloseable {

  /** A running node: its context and the beans the tests use. */
  record Node(long id, ConfigurableApplicationContext context, RaftServer server, KvStore kv) {}

  private final int size;
  private final Path dir;
  private final FaultyNetwork network;
  private final Map<String, String> extraProperties;
  private final Map<Long, Map<String, String>> nodeProperties = new HashMap<>();
  private final Map<Long, Node> nodes = new ConcurrentHashMap<>();
  /** Writes applied twice by node incarnations that have stopped. */
  private final List<String> appliedTwiceByStopped = new java.util.concurrent.CopyOnWriteArrayList<>();

  FaultCluster(int size, Path dir, long seed, Map<String, String> extraProperties) {
    if (size < 3 || size > 5) {
      throw new IllegalArgumentException("3 to 5 nodes, not " + size);
    }
    this.size = size;
    this.dir = dir;
    this.network = new FaultyNetwork(seed);
    this.extraProperties = Map.copyOf(extraProperties);
  }

  /** Properties for one node only (for example the broken variant). */
  FaultCluster nodeProperties(long id, Map<String, String> properties) {
    nodeProperties.put(id, Map.copyOf(properties));
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

  FaultyNetwork network() {
    return network;
  }

  void startAll() {
    for (long id : ids()) {
      start(id);
    }
  }

  /** Starts node {@code id} (again) on its data directory. */
  synchronized Node start(long id) {
    if (nodes.containsKey(id)) {
      throw new IllegalStateException("node " + id + " is already running");
    }
    Map<String, Object> props = new TreeMap<>();
    props.put("spring.main.banner-mode", "off");
    props.put("spring.main.log-startup-info", "false");
    props.put("spring.jmx.enabled", "false");
    props.put("spring.application.name", "fault-node-" + id);
    props.put("logging.level.root", "warn");
    props.put("logging.level.dev.raftboot", "error");
    props.put("raft.node-id", Long.toString(id));
    props.put("raft.cluster-id", "faults");
    for (long p : ids()) {
      // Never contacted: the transport is in memory. The validator wants http URLs.
      props.put("raft.peers." + p, "http://127.0.0.1:" + (20000 + p));
    }
    props.put("raft.tick-interval", "10ms");
    props.put("raft.election-tick", "10");
    props.put("raft.heartbeat-tick", "1");
    props.put("raft.command-timeout", "1500ms");
    props.put("raft.storage.data-dir", dir.resolve("node-" + id).toString());
    props.put("raft.snapshot.entries", "300");
    props.put("raft.snapshot.keep-entries", "100");
    props.putAll(extraProperties);
    props.putAll(nodeProperties.getOrDefault(id, Map.of()));
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(FaultNodeApplication.class)
            .web(WebApplicationType.NONE)
            .registerShutdownHook(false)
            .properties(props)
            .initializers(c -> c.getBeanFactory().registerSingleton("faultyNetwork", network))
            .run();
    Node node = new Node(id, ctx, ctx.getBean(RaftServer.class), ctx.getBean(KvStore.class));
    nodes.put(id, node);
    return node;
  }

  /** Stops node {@code id} abruptly: no leadership transfer, in-flight calls fail. */
  synchronized void kill(long id) {
    Node node = nodes.remove(id);
    if (node == null) {
      return;
    }
    node.server().halt();
    node.kv().appliedTwice().forEach(w -> appliedTwiceByStopped.add("node " + id + ": " + w));
    node.context().close();
  }

  /** Every write some node applied more than once (see {@link KvStore#appliedTwice()}). */
  List<String> appliedTwice() {
    List<String> out = new ArrayList<>(appliedTwiceByStopped);
    for (Node n : running()) {
      n.kv().appliedTwice().forEach(w -> out.add("node " + n.id() + ": " + w));
    }
    return out;
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
    network.close();
  }
}
