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
      return t != null && t.receive(message);
    }
  }
}
