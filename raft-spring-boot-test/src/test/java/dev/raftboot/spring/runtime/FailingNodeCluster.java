package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.StateType;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.NotAppliedException;
import dev.raftboot.spring.api.OutcomeUnknownException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.health.RaftHealthIndicator;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.testkit.Waits;
import dev.raftboot.spring.testkit.cluster.InMemoryNetwork;
import dev.raftboot.spring.transport.RaftTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Three {@link RaftServer}s on the kit's in-memory network, each on a storage and transport the
 * test chooses, under a load of clients that write through every node; for the tests of a node
 * that fails (its storage, or a thread) and recovers. Records which writes were acknowledged and
 * checks the end state: every acknowledged write on every node, and equal states.
 */
final class FailingNodeCluster implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  private final InMemoryNetwork network = new InMemoryNetwork();
  final Map<Long, RaftServer> servers = new TreeMap<>();
  final Map<Long, KvState> states = new TreeMap<>();
  /** Acknowledged writes: key to value. */
  final Map<String, String> acked = new ConcurrentHashMap<>();
  private final AtomicBoolean load = new AtomicBoolean();
  private final List<Thread> clients = new ArrayList<>();
  private final List<Throwable> clientErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** Starts node {@code id} (of 3) on {@code storage}; {@code transport} may wrap the network's. */
  RaftServer start(
      long id,
      RaftStorage storage,
      UnaryOperator<RaftTransport> transport,
      StorageFailurePolicy policy,
      long snapshotEntries) {
    return start(id, storage, transport, policy, snapshotEntries, UnaryOperator.identity());
  }

  /** Like the other {@code start}, the node's {@link KvState} reached through {@code applier}. */
  RaftServer start(
      long id,
      RaftStorage storage,
      UnaryOperator<RaftTransport> transport,
      StorageFailurePolicy policy,
      long snapshotEntries,
      UnaryOperator<CommandApplier> applier) {
    RaftServerSettings settings =
        ServerCluster.settings(
            id, ServerCluster.peers(3), Duration.ofMillis(10), Duration.ofSeconds(5), snapshotEntries, 10);
    KvState state = new KvState();
    RaftServer server =
        new RaftServer(
            settings,
            storage,
            transport.apply(network.transportFor(id)),
            applier.apply(state),
            state,
            null,
            policy);
    network.attach(server);
    server.start();
    servers.put(id, server);
    states.put(id, state);
    return server;
  }

  /** Closed after the servers halted (data sources). */
  void closeLater(AutoCloseable resource) {
    resources.add(resource);
  }

  long awaitLeader() {
    long[] leader = new long[1];
    awaitUntil(
        () -> {
          for (var e : servers.entrySet()) {
            if (e.getValue().metrics().role() == StateType.LEADER) {
              leader[0] = e.getKey();
              return true;
            }
          }
          return false;
        },
        "a leader");
    return leader[0];
  }

  /**
   * One client per node writes distinct keys through it until {@link #stopLoad}. A write refused as
   * not applied, or of unknown outcome, is not recorded; any other failure fails the test.
   */
  void startLoad() {
    load.set(true);
    for (long via : servers.keySet()) {
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; load.get(); i++) {
                  String key = "n" + via + "-" + i;
                  try {
                    servers.get(via).submit(ByteString.copyFromUtf8(key + "=" + i)).get(10, TimeUnit.SECONDS);
                    acked.put(key, "" + i);
                  } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof OutcomeUnknownException)
                        && !(e.getCause() instanceof NotAppliedException)) {
                      clientErrors.add(e.getCause());
                    } else if (e.getCause() instanceof NodeStoppedException) {
                      pause();
                    }
                  } catch (Exception e) {
                    clientErrors.add(e);
                  }
                }
              },
              "client-via-" + via);
      t.start();
      clients.add(t);
    }
  }

  /** A client of a node that refuses everything does not spin. */
  private static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void stopLoad() throws InterruptedException {
    load.set(false);
    for (Thread t : clients) {
      t.join(20_000);
    }
    assertThat(clientErrors).as("failures other than not applied or outcome unknown").isEmpty();
  }

  /** Waits until {@code more} further writes were acknowledged. */
  void awaitAcked(int more, String what) {
    int now = acked.size();
    awaitUntil(() -> acked.size() >= now + more, what);
  }

  /**
   * {@code node} takes no part and serves nothing: every read consistency, commands and
   * membership changes refused with the failure, messages refused, health DOWN with {@code
   * reason} in its reason.
   */
  void assertRefusesEverything(long node, String reason) {
    RaftServer failed = servers.get(node);
    for (ReadConsistency c : ReadConsistency.values()) {
      assertThatThrownBy(() -> failed.readBarrier(c).get(5, TimeUnit.SECONDS))
          .as("a %s read on the failed node", c)
          .hasCauseInstanceOf(NodeStoppedException.class)
          .hasMessageContaining(reason);
    }
    assertThatThrownBy(() -> failed.submit(ByteString.copyFromUtf8("x=1")).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(NodeStoppedException.class);
    assertThat(failed.receive(dev.raftboot.raftpb.Message.getDefaultInstance())).isFalse();
    Health health = new RaftHealthIndicator(failed).health();
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails().get("reason").toString()).contains(reason);
  }

  /** {@code node} serves again: health not DOWN, a linearizable read through it completes. */
  void awaitServing(long node) {
    RaftServer server = servers.get(node);
    awaitUntil(() -> server.failure().isEmpty(), "node " + node + " recovered");
    awaitUntil(
        () -> new RaftHealthIndicator(server).health().getStatus().equals(Status.UP),
        "node " + node + " healthy again");
    try {
      server.readBarrier(ReadConsistency.LINEARIZABLE).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("a linearizable read on recovered node " + node, e);
    }
  }

  /**
   * Every node has applied what any has committed, holds every acknowledged write, and all states
   * are equal; no command was applied twice on a node.
   */
  void assertAllAckedEverywhere() {
    awaitApplied(servers.keySet());
    // A caller hears of its write just before its node publishes the new applied index.
    try {
      awaitUntil(this::allAckedEverywhere, "every node holds every acknowledged write");
    } catch (AssertionError notYet) {
      // The assertions below say what is missing where.
    }
    for (var e : states.entrySet()) {
      assertThat(e.getValue().local()).as("state of node %d", e.getKey()).containsAllEntriesOf(acked);
    }
    Map<String, String> first = states.values().iterator().next().local();
    for (var e : states.entrySet()) {
      assertThat(e.getValue().local()).as("state of node %d", e.getKey()).isEqualTo(first);
    }
  }

  private boolean allAckedEverywhere() {
    Map<String, String> first = states.values().iterator().next().local();
    return states.values().stream()
        .allMatch(st -> st.local().entrySet().containsAll(acked.entrySet()) && st.local().equals(first));
  }

  /**
   * Waits until {@code nodes} have applied what any node has applied now. Not the commit index: a
   * node publishes the one it stored, which may lag what it applied (and acknowledged) already.
   */
  void awaitApplied(java.util.Collection<Long> nodes) {
    long applied =
        servers.values().stream().mapToLong(s -> s.metrics().appliedIndex()).max().orElseThrow();
    awaitUntil(
        () -> nodes.stream().allMatch(id -> servers.get(id).metrics().appliedIndex() >= applied),
        "nodes " + nodes + " applied " + applied);
  }

  /** No command was applied more than once by {@code node}'s state since it was created. */
  void assertAppliedOnce(long node) {
    assertThat(states.get(node).applied.entrySet().stream().filter(e -> e.getValue() > 1).toList())
        .as("commands node %d applied more than once", node)
        .isEmpty();
  }

  static void awaitUntil(BooleanSupplier condition, String what) {
    Waits.until(WAIT, condition, () -> "timed out waiting for " + what);
  }

  @Override
  public void close() {
    load.set(false);
    servers.values().forEach(RaftServer::halt);
    network.close();
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // Closing what the test opened; the test's own outcome matters more.
      }
    }
  }
}
