package dev.raftboot.spring.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.raftboot.Config;
import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.runtime.RaftServerSettings;
import dev.raftboot.spring.spi.StateSnapshotter;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three real {@link RaftServer}s (H2 in-memory logs) talking through {@link HttpRaftTransport} and
 * {@link RaftPeerServlet} on three embedded web servers.
 */
class RaftClusterOverHttpTests {

  private static final String CLUSTER = "it";
  private static final HttpTransportSettings TRANSPORT =
      HttpTransportSettings.defaults().withToken("cluster-token");

  private final Map<Long, PeerApp> apps = new HashMap<>();
  private final Map<Long, Node> nodes = new HashMap<>();
  private final Map<Long, URI> urls = new HashMap<>();
  private final Map<Long, JdbcDataSource> databases = new HashMap<>();

  @AfterEach
  void stopAll() {
    nodes.values().forEach(n -> n.server.stop());
    apps.values().forEach(PeerApp::close);
  }

  @Test
  void electsALeaderAndReplicatesCommands() throws Exception {
    startCluster(0);

    RaftServer leader = awaitLeader();
    List<CompletableFuture<Object>> results = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      results.add(leader.submit(ByteString.copyFromUtf8("cmd-" + i)));
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).until(() -> nodes.values().stream().allMatch(n -> n.state.applied.size() == 50));
    List<String> expected = nodes.get(leader.nodeId()).state.applied;
    for (Node n : nodes.values()) {
      assertThat(n.state.applied).isEqualTo(expected);
    }
  }

  @Test
  void catchesUpAStoppedFollowerWithASnapshot() throws Exception {
    startCluster(10);
    RaftServer leader = awaitLeader();
    long follower = nodes.keySet().stream().filter(id -> id != leader.nodeId()).findFirst().orElseThrow();
    nodes.get(follower).server.stop(); // its endpoint now answers 503

    for (int i = 0; i < 40; i++) {
      leader.submit(ByteString.copyFromUtf8("cmd-" + i)).get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> leader.status().firstIndex() > 5);

    // Restart the follower on its own log: the entries it misses are compacted away on the leader.
    Node restarted = startNode(follower, 10);
    await().atMost(Duration.ofSeconds(20)).until(() -> restarted.state.applied.size() == 40);
    assertThat(restarted.state.restores).isPositive();
    assertThat(nodes.get(leader.nodeId()).transport.peerStats(follower).snapshotsSent()).isPositive();
    assertThat(restarted.state.applied).isEqualTo(nodes.get(leader.nodeId()).state.applied);
  }

  /**
   * Runs closed-loop load at one and at 256 outstanding commands and prints the peer requests and
   * the storage writes (of all three nodes) per committed command (a measurement under whatever
   * load the machine has). Asserts what must hold
   * whatever the timing: every command is applied on every node, and each sender kept its one
   * connection through thousands of requests.
   */
  @Test
  void keepsOneConnectionPerPeerUnderLoadAndCountsRequestsPerCommand() throws Exception {
    startCluster(0);
    RaftServer leader = awaitLeader();
    java.util.concurrent.atomic.LongAdder writes = new java.util.concurrent.atomic.LongAdder();
    nodes.values().forEach(n -> n.server.metrics().addPersistListener(nanos -> writes.increment()));
    int total = 0;
    for (int[] level : new int[][] {{1, 300}, {256, 6000}}) {
      long writesBefore = writes.sum();
      Map<Long, PeerStats> before = stats();
      Map<String, Long> typesBefore = receivedTypes();
      runClosedLoop(leader, level[0], level[1], total);
      Map<String, Long> types = receivedTypes();
      types.replaceAll((type, n) -> n - typesBefore.getOrDefault(type, 0L));
      total += level[1];
      Map<Long, PeerStats> after = stats();
      long requests = 0;
      long messages = 0;
      long bytes = 0;
      for (String pair : after.keySet().stream().map(String::valueOf).toList()) {
        long key = Long.parseLong(pair);
        requests += after.get(key).requestsSent() - before.get(key).requestsSent();
        messages += after.get(key).messagesSent() - before.get(key).messagesSent();
        bytes += after.get(key).bytesSent() - before.get(key).bytesSent();
      }
      System.out.printf(
          "C=%d: %d commands, %.2f peer requests, %.2f messages, %.0f bytes per committed command%n",
          level[0], level[1], (double) requests / level[1], (double) messages / level[1], (double) bytes / level[1]);
      System.out.printf("C=%d: messages received by type: %s%n", level[0], types);
      System.out.printf(
          "C=%d: %.2f storage writes per committed command%n",
          level[0], (double) (writes.sum() - writesBefore) / level[1]);
    }
    int expected = total;
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.values().stream().allMatch(n -> n.state.applied.size() == expected));
    // Leader to followers and back; the followers hardly talk to each other.
    Map<Long, PeerStats> busy = new java.util.TreeMap<>(stats());
    busy.values().removeIf(s -> s.requestsSent() <= 100);
    assertThat(busy).hasSize(4);
    busy.forEach((sender, s) -> assertThat(s.connectionsOpened()).as("connections of sender %s", sender).isEqualTo(1));
  }

  private Map<String, Long> receivedTypes() {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (long id : apps.keySet()) {
      ((DelegatingReceiver) receiverOf(id)).received.forEach((type, n) -> out.merge(type.name(), n.sum(), Long::sum));
    }
    return out;
  }

  /** Every sender's counters, keyed {@code from * 10 + to}. */
  private Map<Long, PeerStats> stats() {
    Map<Long, PeerStats> out = new java.util.TreeMap<>();
    nodes.forEach((id, n) -> n.transport.peerStats().forEach((peer, s) -> out.put(id * 10 + peer, s)));
    return out;
  }

  /** {@code clients} callers, each submitting its next command when the previous one completed. */
  private static void runClosedLoop(RaftServer leader, int clients, int commands, int firstNumber)
      throws Exception {
    java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
    class Client {
      void next() {
        int n = issued.getAndIncrement();
        if (n >= commands) {
          return;
        }
        leader.submit(ByteString.copyFromUtf8("cmd-" + (firstNumber + n))).whenComplete((r, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
          } else if (completed.incrementAndGet() == commands) {
            done.complete(null);
          } else {
            next();
          }
        });
      }
    }
    for (int i = 0; i < clients; i++) {
      new Client().next();
    }
    done.get(120, TimeUnit.SECONDS);
  }

  // --- cluster ------------------------------------------------------------------------------------

  private void startCluster(long snapshotEntries) {
    for (long id = 1; id <= 3; id++) {
      DelegatingReceiver receiver = new DelegatingReceiver();
      PeerApp app = PeerApp.start(receiver, TRANSPORT);
      apps.put(id, app);
      urls.put(id, app.url());
    }
    for (long id = 1; id <= 3; id++) {
      startNode(id, snapshotEntries);
    }
  }

  private Node startNode(long id, long snapshotEntries) {
    JdbcDataSource db =
        databases.computeIfAbsent(
            id,
            k -> {
              JdbcDataSource ds = new JdbcDataSource();
              ds.setURL("jdbc:h2:mem:raft-http-" + System.identityHashCode(this) + "-" + k + ";DB_CLOSE_DELAY=-1");
              JdbcStorageSchema.create(ds);
              return ds;
            });
    JdbcStorage storage = JdbcStorage.builder(db, id).requireSyncedCommits(false).build();
    Config raft =
        new Config()
            .electionTick(10)
            .heartbeatTick(1)
            .maxSizePerMsg(1024 * 1024)
            .maxInflightMsgs(256)
            .preVote(true)
            .checkQuorum(true);
    RaftServerSettings settings =
        new RaftServerSettings(
            id, CLUSTER, Map.copyOf(urls), false, Duration.ofMillis(20), raft, Duration.ofSeconds(10),
            snapshotEntries, 0);
    ListState state = new ListState();
    HttpRaftTransport transport = new HttpRaftTransport(CLUSTER, TRANSPORT, (org.springframework.boot.ssl.SslBundle) null);
    RaftServer server = new RaftServer(settings, storage, transport, state, state, null);
    ((DelegatingReceiver) receiverOf(id)).target = server;
    server.start();
    Node node = new Node(server, state, transport);
    nodes.put(id, node);
    return node;
  }

  private RaftMessageReceiver receiverOf(long id) {
    return apps.get(id).context().getBean(RaftMessageReceiver.class);
  }

  private RaftServer awaitLeader() {
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream().anyMatch(n -> isLeader(n.server)));
    return nodes.values().stream().map(n -> n.server).filter(RaftClusterOverHttpTests::isLeader).findFirst().orElseThrow();
  }

  private static boolean isLeader(RaftServer s) {
    return s.isRunning() && s.leader().map(m -> m.id() == s.nodeId()).orElse(false);
  }

  private record Node(RaftServer server, ListState state, HttpRaftTransport transport) {}

  /** The replicated state: the list of applied commands. */
  private static final class ListState implements dev.raftboot.spring.spi.CommandApplier, StateSnapshotter {
    final List<String> applied = new CopyOnWriteArrayList<>();
    volatile int restores;

    @Override
    public Object apply(ByteString command) {
      applied.add(command.toStringUtf8());
      return applied.size();
    }

    @Override
    public ByteString snapshot() {
      return ByteString.copyFrom(String.join("\n", applied), StandardCharsets.UTF_8);
    }

    @Override
    public void restore(ByteString data) {
      applied.clear();
      String s = data.toStringUtf8();
      if (!s.isEmpty()) {
        applied.addAll(List.of(s.split("\n")));
      }
      restores++;
    }
  }

  /** Lets the web server start before the node it serves exists (its URL must be known first). */
  private static final class DelegatingReceiver implements RaftMessageReceiver {
    volatile RaftMessageReceiver target;
    final Map<dev.raftboot.raftpb.MessageType, java.util.concurrent.atomic.LongAdder> received =
        new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public long nodeId() {
      RaftMessageReceiver t = target;
      return t == null ? 0 : t.nodeId();
    }

    @Override
    public String clusterId() {
      RaftMessageReceiver t = target;
      return t == null ? "" : t.clusterId();
    }

    @Override
    public boolean isMember(long id) {
      RaftMessageReceiver t = target;
      return t != null && t.isMember(id);
    }

    @Override
    public boolean receive(Message message) {
      RaftMessageReceiver t = target;
      received.computeIfAbsent(message.getType(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
      return t != null && t.receive(message);
    }
  }
}
