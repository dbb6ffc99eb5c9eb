package dev.raftboot.spring.testkit.cluster;

import dev.raftboot.StateType;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.testkit.PeersOverride;
import dev.raftboot.spring.testkit.TestNodeProperties;
import dev.raftboot.spring.testkit.ThrowAwayDirectory;
import dev.raftboot.spring.testkit.Waits;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * N application contexts of the user's own application in one JVM, wired by an {@link
 * InMemoryNetwork} instead of HTTP. Everything else is the production code path: properties,
 * auto-configuration, JDBC storage (an H2 file per node in a temporary directory), the raft loop,
 * snapshots and {@code @ReplicatedCommand} dispatch.
 *
 * <pre>{@code
 * try (RaftTestCluster cluster = RaftTestCluster.of(MyApplication.class).nodes(3).start()) {
 *   TestNode leader = cluster.awaitLeader();
 *   leader.bean(MyService.class).deposit("alice", 10);
 *   cluster.firewall().isolate(leader.id());
 *   ...
 *   cluster.firewall().heal();
 *   cluster.awaitAppliedEverywhere();
 * }
 * }</pre>
 *
 * <p>Each node gets, above every property source of the application: {@code raft.node-id}, the
 * members as {@code raft.peers} (the whole map is replaced after binding, see {@link
 * PeersOverride}), its own data directory, {@code raft.tick-interval=50ms} and {@code
 * server.port=0}; then the properties given to {@link Builder#property}. The web server, if the
 * application has one, runs on a random port ({@link TestNode#port()}), but raft traffic never goes
 * through it.
 *
 * <p>One test thread drives the cluster (start, crash, restart, join, remove, close); {@link
 * #node}, {@link #nodes()}, {@link #running()} and the firewall may be used from any thread, as may
 * the application's own beans. Waits fail with {@link AssertionError} naming what each node saw.
 */
public final class RaftTestCluster implements AutoCloseable {

  /** How long the waits wait unless told otherwise: generous, since CI machines are shared. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Builder config;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final ThrowAwayDirectory root = ThrowAwayDirectory.create("raft-test-cluster-");
  private final Map<Long, TestNode> nodes = new ConcurrentSkipListMap<>();
  private final Map<Long, URI> members = new ConcurrentSkipListMap<>();
  private final Set<Long> removed = ConcurrentHashMap.newKeySet();

  private RaftTestCluster(Builder config) {
    this.config = config;
  }

  /** A cluster of {@code sources} (the application class, or its configuration classes). */
  public static Builder of(Class<?>... sources) {
    return new Builder(sources);
  }

  /** The cluster's network faults. */
  public Firewall firewall() {
    return network.firewall();
  }

  /** The network, for what the peer checks refused ({@link InMemoryNetwork#refusals()}). */
  public InMemoryNetwork network() {
    return network;
  }

  /** Node {@code id}, running or not. */
  public TestNode node(long id) {
    TestNode node = nodes.get(id);
    if (node == null) {
      throw new IllegalArgumentException("no node " + id + " in this cluster; nodes are " + nodes.keySet());
    }
    return node;
  }

  /** Every node, running or not, by id. */
  public List<TestNode> nodes() {
    return List.copyOf(nodes.values());
  }

  /** The nodes that run now. */
  public List<TestNode> running() {
    return nodes.values().stream().filter(TestNode::isRunning).toList();
  }

  /**
   * Stops node {@code id} at once, as a crash would: no leadership hand-over, commands in flight
   * fail. Its log stays in {@link TestNode#dataDir()} for {@link #restart}.
   */
  public void crash(long id) {
    TestNode node = node(id);
    if (node.isRunning()) {
      node.server().halt();
    }
    shutDown(node);
  }

  /** Stops node {@code id} gracefully: a leader first hands over leadership. */
  public void stop(long id) {
    shutDown(node(id));
  }

  /** Starts a stopped or crashed node again on its own log. */
  public TestNode restart(long id) {
    TestNode node = node(id);
    if (node.isRunning()) {
      throw new IllegalStateException(node + " is running; crash or stop it first");
    }
    launch(node, false);
    return node;
  }

  /**
   * Adds a new member: starts node {@code id} empty (with {@code raft.join=true}), has the leader
   * add it as a learner and, once it has caught up, promote it to voter; returns when every running
   * node has it as a voter.
   */
  public TestNode join(long id) {
    TestNode node = startJoining(id);
    RaftServer leader = awaitLeader().server();
    complete(leader.addLearner(id, peerUrl(id)), "adding node " + id + " as learner");
    awaitApplied(leader.metrics().commitIndex());
    complete(awaitLeader().server().promote(id), "promoting node " + id);
    awaitMember(id);
    return node;
  }

  /**
   * Starts new node {@code id} empty, with {@code raft.join=true}, and does nothing more: it waits
   * for the cluster to add it, which the test does through the membership API ({@code
   * RaftOperations#addLearner} with {@link #peerUrl}, then {@code promote}), as an operator would.
   * {@link #join} does all of it. From now on the kit counts the node as a member ({@link
   * #awaitLeader()}'s majority, the peers of nodes started later).
   *
   * @throws IllegalArgumentException when the cluster had a node {@code id}, even a removed one
   */
  public TestNode startJoining(long id) {
    if (nodes.containsKey(id) || removed.contains(id)) {
      throw new IllegalArgumentException("node " + id + " already exists or existed; pick a new id");
    }
    TestNode node = new TestNode(id, root.path().resolve("node-" + id));
    nodes.put(id, node);
    members.put(id, peerUrl(id));
    launch(node, true);
    return node;
  }

  /**
   * Takes node {@code id} out of the kit once the cluster has removed it from its configuration
   * ({@code RaftOperations#remove}): crashes it if it still runs, and from now on the kit neither
   * lists it ({@link #node}, {@link #nodes()}) nor counts it as a member. Its id cannot be used
   * again. Returns the node, stopped: its data directory stays until {@link #close()}, for the test
   * to look at or wipe.
   */
  public TestNode remove(long id) {
    TestNode node = node(id);
    crash(id);
    nodes.remove(id);
    members.remove(id);
    removed.add(id);
    return node;
  }

  /** The URL under which the nodes know node {@code id}, for {@code RaftOperations#addLearner}. */
  public URI peerUrl(long id) {
    // Never resolved: raft traffic goes through the in-memory network, found by id.
    return URI.create("http://raft-test-node-" + Long.toUnsignedString(id) + ".invalid");
  }

  /**
   * Waits for a leader that a majority of the cluster's members follow in its term, and returns
   * it. Only followers the firewall lets the leader's heartbeats reach count, so a leader just cut
   * off in a minority (whose old followers have not noticed yet) does not.
   */
  public TestNode awaitLeader() {
    return awaitLeader(DEFAULT_TIMEOUT);
  }

  /** {@link #awaitLeader()} with another timeout. */
  public TestNode awaitLeader(Duration timeout) {
    TestNode[] found = new TestNode[1];
    Waits.until(
        timeout,
        () -> {
          found[0] = acknowledgedLeader().orElse(null);
          return found[0] != null;
        },
        () -> "no leader followed by a majority of " + members.keySet() + "; " + describe());
    return found[0];
  }

  /** Waits until every running node has applied {@code index}. */
  public void awaitApplied(long index) {
    Waits.until(
        DEFAULT_TIMEOUT,
        () -> running().stream().allMatch(n -> n.server().metrics().appliedIndex() >= index),
        () -> "not every running node applied index " + index + "; " + describe());
  }

  /**
   * Waits until every running node has applied everything any of them has committed or applied
   * now: after it, the application state of all running nodes reflects the same log prefix.
   */
  public void awaitAppliedEverywhere() {
    // Both: a node may apply entries before the hard state that records their commit is written
    // (the commit index it reports), so its applied index can be the higher of the two.
    long index =
        running().stream()
            .mapToLong(n -> Math.max(n.server().metrics().commitIndex(), n.server().metrics().appliedIndex()))
            .max()
            .orElse(0);
    awaitApplied(index);
  }

  /** Waits until every running node has {@code id} as a voter in its configuration. */
  public void awaitMember(long id) {
    Waits.until(
        DEFAULT_TIMEOUT,
        () -> running().stream().allMatch(n -> isVoter(n.server(), id)),
        () -> "not every running node has node " + id + " as a voter; " + describe());
  }

  /** Crashes every node (a graceful stop would only slow the test down) and deletes their data. */
  @Override
  public void close() {
    for (TestNode node : nodes.values()) {
      crash(node.id());
    }
    network.close();
    root.close();
  }

  /** One line per node: role, term, leader, commit and applied index. */
  public String describe() {
    return nodes.values().stream().map(RaftTestCluster::describe).collect(Collectors.joining("; "));
  }

  private static String describe(TestNode node) {
    if (!node.isRunning()) {
      return node.toString();
    }
    var m = node.server().metrics();
    return "node " + node.id() + " " + m.role() + " term " + m.term() + " leader " + m.leaderId()
        + " commit " + m.commitIndex() + " applied " + m.appliedIndex();
  }

  private Optional<TestNode> acknowledgedLeader() {
    int quorum = members.size() / 2 + 1;
    for (TestNode candidate : running()) {
      var m = candidate.server().metrics();
      if (m.role() != StateType.LEADER) {
        continue;
      }
      long followers =
          running().stream()
              .filter(n -> n == candidate || reachable(candidate.id(), n.id()))
              .map(n -> n.server().metrics())
              .filter(f -> f.leaderId() == candidate.id() && f.term() == m.term())
              .count();
      if (followers >= quorum) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Whether the firewall lets a leader's heartbeats through to {@code follower} and back. */
  private boolean reachable(long leader, long follower) {
    Firewall f = network.firewall();
    return !f.drops(leader, follower, MessageType.MsgHeartbeat)
        && !f.drops(follower, leader, MessageType.MsgHeartbeatResp);
  }

  private static boolean isVoter(RaftServer server, long id) {
    return server.members().stream().anyMatch(m -> m.id() == id && m.voter());
  }

  private void start() {
    for (long id = 1; id <= config.size; id++) {
      members.put(id, peerUrl(id));
      nodes.put(id, new TestNode(id, root.path().resolve("node-" + id)));
    }
    for (TestNode node : nodes.values()) {
      launch(node, false);
    }
  }

  private void launch(TestNode node, boolean join) {
    long id = node.id();
    Map<String, Object> properties = new LinkedHashMap<>(TestNodeProperties.storage(node.dataDir()));
    properties.put("raft.node-id", id);
    properties.put("raft.join", join);
    // Long enough that a loaded CI machine does not make leadership flap, short enough to elect fast.
    properties.put("raft.tick-interval", "50ms");
    properties.put("server.port", 0);
    members.forEach((member, url) -> properties.put("raft.peers." + member, url.toString()));
    properties.putAll(config.properties);
    Map<Long, URI> peers = Map.copyOf(members);
    SpringApplication application = new SpringApplication(config.sources);
    application.addInitializers(
        context -> {
          context.getEnvironment().getPropertySources()
              .addFirst(new MapPropertySource("raftTestNode" + id, properties));
          context.getBeanFactory().registerSingleton("raftTransport", network.transportFor(id));
          context.getBeanFactory().addBeanPostProcessor(PeersOverride.exactly(peers));
          context.getBeanFactory().addBeanPostProcessor(attachReceiver());
        });
    node.started(application.run());
  }

  /** Makes a node reachable as soon as its raft server exists, before it starts sending. */
  private BeanPostProcessor attachReceiver() {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof RaftServer server) {
          network.attach((RaftMessageReceiver) server);
        }
        return bean;
      }
    };
  }

  private void shutDown(TestNode node) {
    network.detach(node.id());
    ConfigurableApplicationContext context = node.stopped();
    if (context != null) {
      context.close();
    }
  }

  private static void complete(java.util.concurrent.CompletableFuture<?> future, String what) {
    try {
      future.get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + DEFAULT_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while " + what, e);
    }
  }

  /** What cluster to start. */
  public static final class Builder {

    private final Class<?>[] sources;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private int size = 3;

    private Builder(Class<?>[] sources) {
      if (sources.length == 0) {
        throw new IllegalArgumentException("give the application class (or its configuration classes)");
      }
      this.sources = sources.clone();
    }

    /** Number of voters, ids 1 to {@code size}; 3 unless set. */
    public Builder nodes(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("a cluster has at least one node, not " + size);
      }
      this.size = size;
      return this;
    }

    /** A property for every node, above the application's own and the kit's defaults. */
    public Builder property(String name, Object value) {
      if (name.equals("raft.node-id") || name.startsWith("raft.peers")) {
        throw new IllegalArgumentException(
            name + " is set by the cluster for each node; choose the number of nodes with nodes(n)");
      }
      properties.put(name, value);
      return this;
    }

    /** Starts every node and returns the running cluster (a leader may not be elected yet). */
    public RaftTestCluster start() {
      RaftTestCluster cluster = new RaftTestCluster(this);
      try {
        cluster.start();
      } catch (RuntimeException | Error e) {
        cluster.close();
        throw e;
      }
      return cluster;
    }
  }
}
