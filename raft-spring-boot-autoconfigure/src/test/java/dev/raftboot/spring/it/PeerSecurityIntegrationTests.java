package dev.raftboot.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.api.RaftStatus;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.test.ReplicatedKv;
import dev.raftboot.spring.transport.HttpRaftTransport;
import dev.raftboot.spring.transport.PeerAuthenticator;
import dev.raftboot.spring.transport.PeerCheck;
import dev.raftboot.spring.transport.RaftHeaders;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The attacks of the security issue, over real HTTP against three real Boot nodes: forged appends
 * (without the secret, and with it but claiming another node), a learner added at an attacker's
 * URL (it gets neither the secret nor a log entry), and a leadership transfer asked of a follower
 * (forwarded with the transferee in {@code from}, which the sender check must let through).
 */
class PeerSecurityIntegrationTests {

  private static final String SECRET = "integration-secret-0123456789";
  private static final String CLUSTER = "sec";

  @TempDir Path dir;

  private final int[] ports = new int[4];
  private final Map<Integer, ConfigurableApplicationContext> nodes = new TreeMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private HttpServer attacker;

  @AfterEach
  void stopAll() {
    nodes.values().forEach(ConfigurableApplicationContext::close);
    if (attacker != null) {
      attacker.stop(0);
    }
  }

  @Test
  void aForgedAppendIsRefusedWithoutTheSecretAndWhenItClaimsAnotherNode() throws Exception {
    startCluster();
    int leader = awaitLeader();
    put(nodes.get(leader), "before", "attack");
    awaitAgreement();
    int follower = leader == 1 ? 2 : 1;
    int other = 6 - leader - follower;
    RaftStatus st = server(follower).status();
    Message forged = forgedAppend(leader, follower, st);

    // No credentials at all.
    Map<String, String> unsigned = peerHeaders(leader, follower);
    assertThat(postMessages(follower, unsigned, frame(forged)))
        .startsWith("401")
        .contains("missing Raft-Signature");

    // The right secret, signed as node `other`, but the append claims to come from the leader.
    byte[] body = frame(forged);
    Map<String, String> asOther = peerHeaders(other, follower);
    asOther.put(RaftHeaders.SIGNATURE, sign(SECRET, other, follower, body));
    assertThat(postMessages(follower, asOther, body))
        .startsWith("403")
        .contains("claims to come from node " + leader + " but the request is from node " + other);

    // Signed as the leader with a wrong secret.
    Map<String, String> wrongSecret = peerHeaders(leader, follower);
    wrongSecret.put(RaftHeaders.SIGNATURE, sign("not-the-cluster-secret-at-all", leader, follower, body));
    assertThat(postMessages(follower, wrongSecret, body)).startsWith("401").contains("wrong Raft-Signature");

    // The cluster carries on, and every replica holds the same data: no forged key anywhere.
    put(nodes.get(leader), "real-key", "after");
    awaitAgreement();
    for (ConfigurableApplicationContext ctx : nodes.values()) {
      assertThat(kv(ctx).local()).containsEntry("real-key", "after").doesNotContainKey("forged-key");
    }
  }

  @Test
  void aLearnerAddedAtAnAttackersUrlGetsNeitherTheSecretNorTheLog() throws Exception {
    startCluster("management.endpoints.web.exposure.include=raft,health", "management.endpoint.raft.access=unrestricted");
    int leader = awaitLeader();
    put(nodes.get(leader), "confidential", "data");
    List<String> seen = new CopyOnWriteArrayList<>();
    attacker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    attacker.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + exchange.getRequestHeaders()
              + " " + new String(body, StandardCharsets.ISO_8859_1));
          // Claims to be node 4, as an impostor would, but cannot sign the challenge.
          exchange.getResponseHeaders().add(RaftHeaders.NODE_ID, "4");
          exchange.sendResponseHeaders(exchange.getRequestURI().getPath().endsWith("/identity") ? 200 : 204, -1);
          exchange.close();
        });
    attacker.start();
    URI attackerUrl = URI.create("http://127.0.0.1:" + attacker.getAddress().getPort());

    server(leader).addLearner(4, attackerUrl).get(30, TimeUnit.SECONDS);
    HttpRaftTransport transport = nodes.get(leader).getBean(HttpRaftTransport.class);
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= 2);
    put(nodes.get(leader), "more", "data");

    assertThat(seen).allMatch(r -> r.startsWith("GET /raft/identity?challenge="));
    assertThat(String.join("\n", seen)).doesNotContain(SECRET).doesNotContain("confidential");
    PeerCheck check = transport.peerChecks().get(4L);
    assertThat(check.state()).isEqualTo(PeerCheck.State.FAILED);
    assertThat(check.detail()).contains("did not prove").contains(attackerUrl.toString());
    // The leader's own URL was checked at startup: it reaches the leader itself.
    await().atMost(Duration.ofSeconds(20)).until(() -> transport.selfCheck() != null);
    assertThat(transport.selfCheck().state()).isEqualTo(PeerCheck.State.VERIFIED);
    String status = get("http://127.0.0.1:" + ports[leader] + "/actuator/raft");
    assertThat(status).contains("\"peers\"").contains("FAILED").contains("did not prove");
  }

  @Test
  void aLeadershipTransferAskedOfAFollowerIsForwardedAndSucceeds() throws Exception {
    startCluster("management.endpoints.web.exposure.include=raft,health", "management.endpoint.raft.access=unrestricted");
    int leader = awaitLeader();
    put(nodes.get(leader), "caught", "up");
    awaitAgreement(); // a transfer to a node still catching up may time out in raft itself
    int follower = leader == 1 ? 2 : 1;
    int transferee = 6 - leader - follower;

    String answer =
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[follower] + "/actuator/raft/leader"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"id\":" + transferee + "}")));

    assertThat(answer).startsWith("200").contains("\"DONE\"");
    await().atMost(Duration.ofSeconds(20)).until(() -> server(transferee).status().role() == StateType.LEADER);
  }

  // --- the attack's tools -------------------------------------------------------------------------

  /** What a leader would send next: an entry after the follower's last, committed at once. */
  private static Message forgedAppend(int leader, int follower, RaftStatus st) {
    return Message.newBuilder()
        .setType(MessageType.MsgApp)
        .setFrom(leader)
        .setTo(follower)
        .setTerm(st.term())
        .setIndex(st.lastIndex())
        .setLogTerm(st.term())
        .setCommit(st.lastIndex() + 1)
        .addEntries(
            Entry.newBuilder()
                .setTerm(st.term())
                .setIndex(st.lastIndex() + 1)
                .setData(ByteString.copyFromUtf8("put(\"forged-key\", \"by-attacker\")")))
        .build();
  }

  private static Map<String, String> peerHeaders(int from, int to) {
    Map<String, String> h = new TreeMap<>();
    h.put(RaftHeaders.CLUSTER_ID, CLUSTER);
    h.put(RaftHeaders.FROM, Integer.toString(from));
    h.put(RaftHeaders.TO, Integer.toString(to));
    return h;
  }

  private static String sign(String secret, int from, int to, byte[] body) {
    return new PeerAuthenticator(secret, CLUSTER)
        .signRequest(CLUSTER, from, to, RaftHeaders.MESSAGES_OPERATION, PeerAuthenticator.sha256(body));
  }

  private static byte[] frame(Message m) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeDelimitedTo(out);
    return out.toByteArray();
  }

  private String postMessages(int node, Map<String, String> headers, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[node] + "/raft/messages"))
            .header("Content-Type", RaftHeaders.CONTENT_TYPE)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b);
  }

  private String get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private String send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r =
        http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  // --- the cluster --------------------------------------------------------------------------------

  private void startCluster(String... extra) throws Exception {
    for (int i = 1; i <= 3; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
    }
    for (int id = 1; id <= 3; id++) {
      List<String> props = new ArrayList<>();
      props.add("server.port=" + ports[id]);
      props.add("server.address=127.0.0.1");
      props.add("raft.node-id=" + id);
      props.add("raft.cluster-id=" + CLUSTER);
      props.add("raft.tick-interval=20ms");
      props.add("raft.transport.token=" + SECRET);
      props.add("raft.storage.data-dir=" + dir.resolve("node-" + id));
      props.add("spring.main.banner-mode=off");
      for (int p = 1; p <= 3; p++) {
        props.add("raft.peers." + p + "=http://127.0.0.1:" + ports[p]);
      }
      props.addAll(List.of(extra));
      nodes.put(id, new SpringApplicationBuilder(KvTestApplication.class).properties(props.toArray(String[]::new)).run());
    }
  }

  private RaftServer server(int id) {
    return nodes.get(id).getBean(RaftServer.class);
  }

  private static ReplicatedKv kv(ConfigurableApplicationContext ctx) {
    return BootClusterIntegrationTests.kv(ctx);
  }

  private int awaitLeader() {
    await().atMost(Duration.ofSeconds(60))
        .until(() -> nodes.keySet().stream().anyMatch(id -> server(id).status().role() == StateType.LEADER));
    return nodes.keySet().stream().filter(id -> server(id).status().role() == StateType.LEADER).findFirst().orElseThrow();
  }

  private static void put(ConfigurableApplicationContext ctx, String k, String v) throws InterruptedException {
    BootClusterIntegrationTests.put(ctx, k, v);
  }

  /** Every node applied the same log and holds the same data. */
  private void awaitAgreement() {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> nodes.values().stream().map(c -> Map.copyOf(kv(c).local())).distinct().count() == 1
            && nodes.keySet().stream().map(id -> server(id).status().applied()).distinct().count() == 1);
  }
}
