package dev.raftboot.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.StateType;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.storage.FileLogStorage;
import dev.raftboot.spring.test.ReplicatedKv;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three Boot applications in one JVM, each with its own web server on a free port, its own H2 file
 * database and the HTTP peer transport: the starter as a user runs it.
 */
class BootClusterIntegrationTests {

  @TempDir Path dir;

  private final int[] ports = new int[4];
  private final Map<Integer, ConfigurableApplicationContext> nodes = new TreeMap<>();

  private ConfigurableApplicationContext start(int id, String... extra) {
    List<String> props = new ArrayList<>();
    props.add("server.port=" + ports[id]);
    props.add("raft.node-id=" + id);
    props.add("raft.cluster-id=it");
    props.add("raft.tick-interval=20ms");
    props.add("raft.transport.token=integration-test-secret");
    props.add("raft.storage.data-dir=" + dir.resolve("node-" + id));
    props.add("spring.main.banner-mode=off");
    for (int p = 1; p <= 3; p++) {
      props.add("raft.peers." + p + "=http://127.0.0.1:" + ports[p]);
    }
    props.addAll(List.of(extra));
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(KvTestApplication.class)
            .properties(props.toArray(String[]::new))
            .run();
    nodes.put(id, ctx);
    return ctx;
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

  /** Stops a node the hard way: no leadership hand-over, the process simply goes away. */
  private void kill(int id) {
    ConfigurableApplicationContext ctx = nodes.remove(id);
    ctx.getBean(RaftServer.class).halt();
    ctx.close();
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(ConfigurableApplicationContext::close);
  }

  static ReplicatedKv kv(ConfigurableApplicationContext ctx) {
    return ctx.getBean(ReplicatedKv.class);
  }

  static void put(ConfigurableApplicationContext ctx, String k, String v) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        kv(ctx).put(k, v);
        return;
      } catch (NoLeaderException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private int awaitLeader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (Map.Entry<Integer, ConfigurableApplicationContext> e : nodes.entrySet()) {
        if (e.getValue().getBean(RaftServer.class).status().role() == StateType.LEADER) {
          return e.getKey();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader elected");
  }

  private void awaitAll(Map<String, String> acknowledged) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Map.Entry<Integer, ConfigurableApplicationContext> e : nodes.entrySet()) {
      Map<String, String> local = kv(e.getValue()).local();
      while (!local.entrySet().containsAll(acknowledged.entrySet())) {
        assertThat(System.nanoTime())
            .as("node %d applies every acknowledged write", e.getKey())
            .isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  /** Waits until {@code leader} has compacted its log past its first entries. */
  private static void awaitCompaction(RaftServer leader) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (leader.status().firstIndex() <= 10) {
      assertThat(System.nanoTime()).as("the leader compacts its log").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void survivesTheLossOfTheLeaderAndARestartedNodeCatchesUp() throws Exception {
    startCluster();
    Map<String, String> acknowledged = new TreeMap<>();
    for (int i = 0; i < 30; i++) {
      int via = 1 + i % 3;
      put(nodes.get(via), "k" + i, "v" + i);
      acknowledged.put("k" + i, "v" + i);
    }
    awaitAll(acknowledged);
    assertThat(kv(nodes.get(2)).get("k7")).isEqualTo("v7");

    int leader = awaitLeader();
    kill(leader);
    int next = awaitLeader();
    assertThat(next).isNotEqualTo(leader);
    for (int i = 30; i < 60; i++) {
      put(nodes.get(next), "k" + i, "v" + i);
      acknowledged.put("k" + i, "v" + i);
    }
    awaitAll(acknowledged);

    start(leader);
    awaitAll(acknowledged);
    for (ConfigurableApplicationContext ctx : nodes.values()) {
      assertThat(kv(ctx).local()).containsAllEntriesOf(acknowledged);
    }
  }

  @Test
  void aFourthNodeJoinsThroughTheActuatorEndpointIsPromotedAndReplacesAnOriginalNode()
      throws Exception {
    startCluster("management.endpoints.web.exposure.include=raft,health", "management.endpoint.raft.access=unrestricted");
    try (ServerSocket s = new ServerSocket(0)) {
      ports[0] = s.getLocalPort(); // node 4's port; index 0 is otherwise unused
    }
    Map<String, String> acknowledged = new TreeMap<>();
    put(nodes.get(1), "before", "join");
    acknowledged.put("before", "join");

    // Node 4 starts empty and waits to be added.
    ConfigurableApplicationContext four =
        startJoiner(4, ports[0], "management.endpoints.web.exposure.include=raft,health");
    int leader = awaitLeader();
    String base = "http://127.0.0.1:" + ports[leader] + "/actuator/raft";
    assertThat(post(base + "/learners", "{\"id\":4,\"url\":\"http://127.0.0.1:" + ports[0] + "\"}"))
        .contains("\"DONE\"");
    awaitAll(acknowledged);
    assertThat(kv(four).local()).containsAllEntriesOf(acknowledged);

    assertThat(post(base + "/voters", "{\"id\":4}")).contains("\"DONE\"");
    int removed = leader == 1 ? 2 : 1;
    assertThat(delete(base + "/members/" + removed)).contains("\"DONE\"");
    kill(removed);

    RaftServer fourServer = four.getBean(RaftServer.class);
    assertThat(fourServer.status().voters()).contains(4L).doesNotContain((long) removed);
    for (int i = 0; i < 10; i++) {
      put(four, "after" + i, "v" + i);
      acknowledged.put("after" + i, "v" + i);
    }
    awaitAll(acknowledged);
  }

  private ConfigurableApplicationContext startJoiner(int id, int port, String... extra) {
    List<String> props = new ArrayList<>();
    props.add("server.port=" + port);
    props.add("raft.node-id=" + id);
    props.add("raft.join=true");
    props.add("raft.cluster-id=it");
    props.add("raft.tick-interval=20ms");
    props.add("raft.transport.token=integration-test-secret");
    props.add("raft.storage.data-dir=" + dir.resolve("node-" + id));
    props.add("spring.main.banner-mode=off");
    for (int p = 1; p <= 3; p++) {
      props.add("raft.peers." + p + "=http://127.0.0.1:" + ports[p]);
    }
    props.add("raft.peers." + id + "=http://127.0.0.1:" + port);
    props.addAll(List.of(extra));
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(KvTestApplication.class)
            .properties(props.toArray(String[]::new))
            .run();
    nodes.put(id, ctx);
    return ctx;
  }

  private static String post(String url, String json) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static String delete(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).DELETE());
  }

  private static String send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  @Test
  void aNodeBehindTheCompactedLogCatchesUpThroughASnapshotOverHttp() throws Exception {
    startCluster("raft.snapshot.entries=20", "raft.snapshot.keep-entries=5");
    catchUpNode3ThroughASnapshot(100);
  }

  /**
   * Node 3 is down while the leader takes {@code puts} writes and compacts its log; restarted with
   * {@code restartProperties}, it must catch up through a snapshot. Returns what was acknowledged.
   */
  private Map<String, String> catchUpNode3ThroughASnapshot(int puts, String... restartProperties)
      throws Exception {
    awaitLeader();
    Map<String, String> acknowledged = new TreeMap<>();
    put(nodes.get(1), "first", "1");
    acknowledged.put("first", "1");
    awaitAll(acknowledged);

    kill(3);
    int leader = awaitLeader();
    for (int i = 0; i < puts; i++) {
      put(nodes.get(leader), "s" + i, "v" + i);
      acknowledged.put("s" + i, "v" + i);
    }
    RaftServer leaderServer = nodes.get(leader).getBean(RaftServer.class);
    awaitCompaction(leaderServer);

    ConfigurableApplicationContext restarted = start(3, restartProperties);
    awaitAll(acknowledged);
    assertThat(restarted.getBean(RaftServer.class).status().snapshotIndex()).isGreaterThan(10);
    return acknowledged;
  }

  @Test
  void onTheFileLogANodeCatchesUpThroughASnapshotAndTheWholeClusterRestarts() throws Exception {
    String[] fileLog = {
      "raft.storage.type=file",
      "raft.storage.file.segment-size=16KB",
      "raft.snapshot.entries=20",
      "raft.snapshot.keep-entries=5"
    };
    startCluster(fileLog);
    Map<String, String> acknowledged = catchUpNode3ThroughASnapshot(150, fileLog);

    for (int id = 1; id <= 3; id++) {
      kill(id);
    }
    for (int id = 1; id <= 3; id++) {
      start(id, fileLog);
    }
    awaitAll(acknowledged);
    put(nodes.get(awaitLeader()), "after", "restart");
    acknowledged.put("after", "restart");
    awaitAll(acknowledged);
    for (int id = 1; id <= 3; id++) {
      Path data = dir.resolve("node-" + id);
      assertThat(FileLogStorage.holdsLog(data)).as("node %d keeps a file log", id).isTrue();
      assertThat(data.resolve("raft.mv.db")).doesNotExist();
    }
  }

  @Test
  void aNodeAddedAfterCompactionCatchesUpWithoutFurtherWrites() throws Exception {
    startCluster("raft.snapshot.entries=20", "raft.snapshot.keep-entries=5");
    int leader = awaitLeader();
    Map<String, String> acknowledged = new TreeMap<>();
    for (int i = 0; i < 60; i++) {
      put(nodes.get(leader), "s" + i, "v" + i);
      acknowledged.put("s" + i, "v" + i);
    }
    RaftServer leaderServer = nodes.get(leader).getBean(RaftServer.class);
    awaitCompaction(leaderServer);
    try (ServerSocket s = new ServerSocket(0)) {
      ports[0] = s.getLocalPort();
    }
    ConfigurableApplicationContext four = startJoiner(4, ports[0]);

    // The stored snapshots predate the change that adds node 4, and nothing is written after it:
    // node 4 can only catch up from a snapshot taken once the change is applied.
    long snapshotBefore = leaderServer.status().snapshotIndex();
    leaderServer.addLearner(4, URI.create("http://127.0.0.1:" + ports[0])).get(30, TimeUnit.SECONDS);

    awaitAll(acknowledged);
    assertThat(four.getBean(RaftServer.class).status().snapshotIndex()).isGreaterThan(snapshotBefore);
  }
}
