package dev.raftboot.spring.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.transport.RecordingListener.SnapshotReport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/** The HTTP transport of node 1 against two real peer endpoints (nodes 2 and 3). */
class HttpRaftTransportTests {

  private static final String CLUSTER = "c1";
  private static final String TOKEN = "peer-secret";
  private static final HttpTransportSettings SETTINGS =
      HttpTransportSettings.defaults()
          // Generous, so that a busy machine does not fail the tests that expect delivery.
          .withConnectTimeout(Duration.ofSeconds(20))
          .withRequestTimeout(Duration.ofSeconds(30))
          .withToken(TOKEN)
          .withMaxMessageSize(1024 * 1024)
          .withMaxSnapshotSize(8 * 1024 * 1024)
          // Whatever the default: the appends of these tests carry no entries, so a linger would
          // hold each of them back as a commit-index update.
          .withCommitLinger(Duration.ZERO);

  private static final RecordingReceiver node2 = new RecordingReceiver(2, CLUSTER, Set.of(1L, 2L, 3L));
  private static final RecordingReceiver node3 = new RecordingReceiver(3, CLUSTER, Set.of(1L, 2L, 3L));
  private static PeerApp app2;
  private static PeerApp app3;

  /** The longest linger allowed, so that a test's short pause falls well inside it. */
  private static final Duration LONG_LINGER = HttpTransportSettings.MAX_COMMIT_LINGER;

  private final RecordingListener listener = new RecordingListener();
  private final List<HttpRaftTransport> transports = new ArrayList<>();

  @BeforeAll
  static void startPeers() {
    app2 = PeerApp.start(node2, SETTINGS);
    app3 = PeerApp.start(node3, SETTINGS);
  }

  @AfterAll
  static void stopPeers() {
    app2.close();
    app3.close();
  }

  @BeforeEach
  void resetPeers() {
    node2.reset();
    node3.reset();
  }

  @AfterEach
  void stopTransports() {
    transports.forEach(HttpRaftTransport::stop);
    node2.reset();
    node3.reset();
  }

  @Test
  void deliversMessagesToEachPeerInOrder() {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url(), 3L, app3.url()));

    for (int i = 1; i <= 100; i++) {
      t.send(app(2, i));
      t.send(app(3, i));
    }

    // Counted once the peer's answer is back, which is after the peer received them.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> t.peerStats(2).messagesSent() == 100 && t.peerStats(3).messagesSent() == 100);
    assertThat(indexes(node2.received)).isEqualTo(range(1, 100));
    assertThat(indexes(node3.received)).isEqualTo(range(1, 100));
    assertThat(node2.received).allMatch(m -> m.getFrom() == 1 && m.getTo() == 2);
    PeerStats stats = t.peerStats(2);
    assertThat(stats.messagesSent()).isEqualTo(100);
    assertThat(stats.bytesSent()).isEqualTo(node2.received.stream().mapToLong(MessageFraming::framedSize).sum());
    assertThat(stats.messagesDropped()).isZero();
    assertThat(stats.requestsFailed()).isZero();
    assertThat(listener.unreachable).isEmpty();
  }

  @Test
  void sendsWhatQueuesWhileARequestIsInFlightAsOneBatch() throws Exception {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));
    RecordingReceiver.Gate gate = node2.holdNext();

    t.send(app(2, 1));
    gate.awaitEntered(); // the first request is now in flight
    for (int i = 2; i <= 200; i++) {
      t.send(app(2, i));
    }
    assertThat(t.queuedMessages(2)).isEqualTo(199);
    gate.open();

    await().atMost(Duration.ofSeconds(10)).until(() -> t.peerStats(2).messagesSent() == 200);
    assertThat(indexes(node2.received)).isEqualTo(range(1, 200));
    assertThat(t.peerStats(2).requestsSent()).as("requests for 200 messages").isEqualTo(2);
  }

  @Test
  void aCommitIndexUpdateWaitsToShareARequestWithTheNextMessage() throws Exception {
    HttpRaftTransport t = start(SETTINGS.withCommitLinger(LONG_LINGER), Map.of(2L, app2.url()));

    t.send(app(2, 1));
    Thread.sleep(10); // the sender has taken it by now; without the linger it would be on its way
    t.send(withEntry(app(2, 2)));

    await().atMost(Duration.ofSeconds(10)).until(() -> t.peerStats(2).messagesSent() == 2);
    assertThat(indexes(node2.received)).isEqualTo(range(1, 2));
    assertThat(t.peerStats(2).requestsSent()).as("requests for both").isEqualTo(1);
  }

  @Test
  void aLoneCommitIndexUpdateIsSentOnceTheLingerIsOver() {
    HttpRaftTransport t = start(SETTINGS.withCommitLinger(LONG_LINGER), Map.of(2L, app2.url()));

    t.send(app(2, 1));

    await().atMost(Duration.ofSeconds(10)).until(() -> t.peerStats(2).messagesSent() == 1);
    assertThat(indexes(node2.received)).containsExactly(1L);
    assertThat(t.peerStats(2).messagesDropped()).isZero();
  }

  @Test
  void onlyAppendsWithoutEntriesCountAsCommitUpdates() {
    Message update = app(2, 1);
    Message heartbeat = update.toBuilder().setType(MessageType.MsgHeartbeat).build();

    assertThat(PeerSender.onlyCommitUpdates(List.of(update, app(2, 2)))).isTrue();
    assertThat(PeerSender.onlyCommitUpdates(List.of(update, withEntry(app(2, 2))))).isFalse();
    assertThat(PeerSender.onlyCommitUpdates(List.of(heartbeat))).isFalse();
    assertThat(PeerSender.onlyCommitUpdates(List.of(update, heartbeat))).isFalse();
  }

  @Test
  void splitsABatchThatWouldExceedTheSizeLimit() throws Exception {
    HttpRaftTransport t = start(SETTINGS.withMaxMessageSize(2048), Map.of(2L, app2.url()));
    RecordingReceiver.Gate gate = node2.holdNext();

    t.send(app(2, 1));
    gate.awaitEntered();
    long bytes = 0;
    for (int i = 2; i <= 101; i++) {
      Message m = app(2, i).toBuilder().setContext(ByteString.copyFrom(new byte[100])).build();
      bytes += MessageFraming.framedSize(m);
      t.send(m);
    }
    gate.open();

    await().atMost(Duration.ofSeconds(10)).until(() -> t.peerStats(2).messagesSent() == 101);
    assertThat(indexes(node2.received)).isEqualTo(range(1, 101));
    long requests = t.peerStats(2).requestsSent();
    assertThat(requests - 1).as("batch requests").isGreaterThanOrEqualTo((bytes + 2047) / 2048).isLessThan(20);
    assertThat(t.peerStats(2).requestsFailed()).isZero();
  }

  @Test
  void reportsUnreachableWhenThePeerIsDown() throws Exception {
    HttpRaftTransport t = start(SETTINGS, Map.of(4L, deadUrl()));

    t.send(app(4, 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.unreachable.contains(4L));
    t.send(app(4, 2));
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.unreachable.size() == 2);

    PeerStats stats = t.peerStats(4);
    assertThat(stats.messagesDropped()).isEqualTo(2);
    // The identity check failed; the second message came while it waits to check again.
    assertThat(stats.requestsFailed()).isBetween(1L, 2L);
    assertThat(stats.messagesSent()).isZero();
    assertThat(t.peerChecks().get(4L).state()).isEqualTo(PeerCheck.State.FAILED);
    assertThat(t.peerChecks().get(4L).detail()).contains("cannot reach");
  }

  @Test
  void reportsUnreachableWhenThePeerRefuses() {
    HttpRaftTransport t = start(SETTINGS.withToken("not-the-token"), Map.of(2L, app2.url()));

    t.send(app(2, 1));

    await().atMost(Duration.ofSeconds(5)).until(() -> listener.unreachable.contains(2L));
    assertThat(t.peerStats(2).requestsFailed()).isEqualTo(1);
    assertThat(t.peerStats(2).messagesDropped()).isEqualTo(1);
    assertThat(node2.received).isEmpty();
    // The secrets differ: the identity check says so, and no batch was even attempted.
    PeerCheck check = t.peerChecks().get(2L);
    assertThat(check.state()).isEqualTo(PeerCheck.State.FAILED);
    assertThat(check.detail()).contains("HTTP 401").contains("wrong Raft-Signature");
  }

  @Test
  void sendsNothingToAUrlWhereAnotherNodeAnswersAndSaysWhich() {
    // The peer list says node 3 is at node 2's URL.
    HttpRaftTransport t = start(SETTINGS, Map.of(3L, app2.url()));

    t.send(app(3, 1));

    await().atMost(Duration.ofSeconds(5)).until(() -> listener.unreachable.contains(3L));
    assertThat(node2.received).isEmpty();
    assertThat(t.peerChecks().get(3L).detail()).contains(app2.url() + " is node 2, not node 3");
  }

  @Test
  void theOwnUrlCheckNamesTheNodeFoundThere() throws Exception {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));

    PeerCheck wrong = t.checkSelf(app2.url());

    assertThat(wrong.state()).isEqualTo(PeerCheck.State.FAILED);
    assertThat(wrong.detail()).contains(app2.url() + " is node 2, not node 1");
    assertThat(t.selfCheck()).isEqualTo(wrong);
  }

  @Test
  void reportsUnreachableWhenARequestTimesOut() throws Exception {
    HttpRaftTransport t = start(SETTINGS.withRequestTimeout(Duration.ofMillis(300)), Map.of(2L, app2.url()));
    RecordingReceiver.Gate gate = node2.holdNext();
    try {
      t.send(app(2, 1));
      gate.awaitEntered();

      await().atMost(Duration.ofSeconds(5)).until(() -> listener.unreachable.contains(2L));
      assertThat(t.peerStats(2).requestsFailed()).isEqualTo(1);
    } finally {
      gate.open();
    }
    // The sender carries on after the timeout.
    t.send(app(2, 2));
    await().atMost(Duration.ofSeconds(5)).until(() -> indexes(node2.received).contains(2L));
  }

  @Test
  void dropsAndReportsMessagesThatFindTheQueueFull() throws Exception {
    HttpRaftTransport t = start(SETTINGS.withQueueSize(4), Map.of(2L, app2.url()));
    RecordingReceiver.Gate gate = node2.holdNext();

    t.send(app(2, 1));
    gate.awaitEntered();
    for (int i = 2; i <= 11; i++) {
      t.send(app(2, i));
    }

    // Reported by send() itself, without waiting for the network.
    assertThat(listener.unreachable).containsExactly(2L, 2L, 2L, 2L, 2L, 2L);
    assertThat(t.peerStats(2).messagesDropped()).isEqualTo(6);
    gate.open();
    await().atMost(Duration.ofSeconds(5)).until(() -> node2.received.size() == 5);
    assertThat(indexes(node2.received)).isEqualTo(range(1, 5));
  }

  @Test
  void streamsASnapshotAndReportsFinish() {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));
    Message snap = RaftPeerServletTests.snapshot(1, 2, 3 * 1024 * 1024);

    t.send(snap);

    await().atMost(Duration.ofSeconds(10)).until(() -> !listener.snapshots.isEmpty());
    assertThat(listener.snapshots).containsExactly(new SnapshotReport(2, SnapshotStatus.FINISH));
    assertThat(node2.received).containsExactly(snap);
    assertThat(t.peerStats(2).snapshotsSent()).isEqualTo(1);
    assertThat(t.peerStats(2).bytesSent()).isEqualTo(MessageFraming.framedSize(snap));
    assertThat(listener.unreachable).isEmpty();
  }

  @Test
  void reportsSnapshotFailureWhenThePeerRefuses() {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));
    node2.members.remove(1L);

    t.send(RaftPeerServletTests.snapshot(1, 2, 1000));

    await().atMost(Duration.ofSeconds(10)).until(() -> !listener.snapshots.isEmpty());
    assertThat(listener.snapshots).containsExactly(new SnapshotReport(2, SnapshotStatus.FAILURE));
    assertThat(listener.unreachable).containsExactly(2L);
    assertThat(node2.received).isEmpty();
    assertThat(t.peerStats(2).snapshotsFailed()).isEqualTo(1);
  }

  @Test
  void reportsSnapshotFailureWhenThePeerIsDown() throws Exception {
    HttpRaftTransport t = start(SETTINGS, Map.of(4L, deadUrl()));

    t.send(RaftPeerServletTests.snapshot(1, 4, 1000));

    await().atMost(Duration.ofSeconds(10)).until(() -> !listener.snapshots.isEmpty());
    assertThat(listener.snapshots).containsExactly(new SnapshotReport(4, SnapshotStatus.FAILURE));
  }

  @Test
  void followsPeerChanges() throws Exception {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));

    t.send(app(3, 1));
    assertThat(listener.unreachable).containsExactly(3L);
    assertThat(t.peerStats(3).messagesDropped()).isEqualTo(1);

    t.updatePeers(Map.of(1L, URI.create("http://localhost:1"), 2L, app2.url(), 3L, app3.url()));
    assertThat(t.peers()).containsOnlyKeys(2L, 3L);
    t.send(app(3, 2));
    await().atMost(Duration.ofSeconds(5)).until(() -> node3.received.size() == 1);

    t.updatePeers(Map.of(3L, app3.url()));
    assertThat(t.peers()).containsOnlyKeys(3L);
    t.send(app(2, 3));
    assertThat(listener.unreachable).containsExactly(3L, 2L);
    await().atMost(Duration.ofSeconds(5)).until(() -> !senderThreadAlive("raft-send-1-to-2"));

    // Node 3 moves: messages follow its new address.
    t.updatePeers(Map.of(3L, deadUrl()));
    t.send(app(3, 4));
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.unreachable.size() == 3);
    t.updatePeers(Map.of(3L, app3.url()));
    t.send(app(3, 5));
    await().atMost(Duration.ofSeconds(5)).until(() -> node3.received.size() == 2);
    assertThat(indexes(node3.received)).containsExactly(2L, 5L);
  }

  @Test
  void treatsAPeerWithAnUnusableUrlAsUnreachable() {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));

    // Called on the node's apply thread: must not throw.
    t.updatePeers(Map.of(2L, app2.url(), 3L, URI.create("ftp://localhost/raft")));
    t.send(app(3, 1));
    t.send(RaftPeerServletTests.snapshot(1, 3, 100));

    await().atMost(Duration.ofSeconds(5)).until(() -> listener.snapshots.size() == 1 && listener.unreachable.size() == 2);
    assertThat(listener.snapshots).containsExactly(new SnapshotReport(3, SnapshotStatus.FAILURE));
    assertThat(t.peerStats(3).messagesDropped()).isEqualTo(2);
    t.send(app(2, 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> node2.received.size() == 1);
  }

  @Test
  void stopEndsTheSendersAndDropsWhatIsSentAfterwards() {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url(), 3L, app3.url()));
    t.send(app(2, 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> node2.received.size() == 1);

    t.stop();
    t.send(app(2, 2));

    await().atMost(Duration.ofSeconds(5))
        .until(() -> !senderThreadAlive("raft-send-1-to-2") && !senderThreadAlive("raft-send-1-to-3"));
    assertThat(t.peerStats(2).messagesDropped()).isEqualTo(1);
    assertThat(listener.unreachable).isEmpty();
    assertThat(t.peers()).isEmpty();
  }

  @Test
  void peerWebServerDisablesNagle() {
    // Without TCP_NODELAY a small response can wait for the client's delayed ACK (~40 ms). The JDK
    // client sets it on its own sockets; Tomcat's connector has it on by default.
    WebServer server = ((WebServerApplicationContext) app2.context()).getWebServer();
    Connector connector = ((TomcatWebServer) server).getTomcat().getConnector();

    assertThat(connector.getProperty("tcpNoDelay")).isEqualTo(true);
  }

  @Test
  void keepsOneConnectionForMoreRequestsThanTomcatsDefaultKeepAliveLimit() {
    // The starter makes server.tomcat.max-keep-alive-requests unlimited (PeerApp is a real Boot
    // application, so it gets that default as a user's would).
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));

    sendOneRequestEach(t, 2, 250);

    assertThat(t.peerStats(2).requestsSent()).isEqualTo(250);
    assertThat(t.peerStats(2).connectionsOpened()).isEqualTo(1);
    assertThat(t.peerStats(2).requestsFailed()).isZero();
  }

  @Test
  void opensANewConnectionWithoutFailingWhenThePeerLimitsRequestsPerConnection() {
    RecordingReceiver limitedNode = new RecordingReceiver(2, CLUSTER, Set.of(1L, 2L, 3L));
    try (PeerApp limited = PeerApp.start(limitedNode, SETTINGS, "server.tomcat.max-keep-alive-requests=100")) {
      HttpRaftTransport t = start(SETTINGS, Map.of(2L, limited.url()));

      sendOneRequestEach(t, 2, 250);

      // Tomcat answers the 100th and 200th request with Connection: close.
      assertThat(t.peerStats(2).connectionsOpened()).isEqualTo(3);
      assertThat(t.peerStats(2).requestsFailed()).isZero();
      assertThat(indexes(limitedNode.received)).isEqualTo(range(1, 250));
    }
  }

  /** Prints the loopback latency of a one-message batch; measures, asserts nothing about time. */
  @Test
  void measuresTheLoopbackRoundTripOfASmallBatch() {
    HttpRaftTransport t = start(SETTINGS, Map.of(2L, app2.url()));
    int rounds = 1000;
    long[] nanos = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long before = t.peerStats(2).requestsSent();
      long start = System.nanoTime();
      t.send(app(2, i + 1));
      // A request counts as sent once its 204 came back: that is the full round trip.
      long deadline = start + Duration.ofSeconds(5).toNanos();
      while (t.peerStats(2).requestsSent() == before && System.nanoTime() - deadline < 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000);
      }
      nanos[i] = System.nanoTime() - start;
    }
    long[] measured = Arrays.copyOfRange(nanos, rounds / 2, rounds); // after warm-up
    Arrays.sort(measured);
    System.out.printf(
        "loopback round trip of a one-message batch: median %.3f ms, p90 %.3f ms, p99 %.3f ms (%d rounds)%n",
        measured[measured.length / 2] / 1e6,
        measured[measured.length * 9 / 10] / 1e6,
        measured[measured.length * 99 / 100] / 1e6,
        measured.length);
    assertThat(node2.received).hasSize(rounds);
  }

  // --- helpers ------------------------------------------------------------------------------------

  /** Sends {@code count} appends one at a time, each after the previous one was answered. */
  private static void sendOneRequestEach(HttpRaftTransport t, long to, int count) {
    for (int i = 1; i <= count; i++) {
      long sent = i;
      t.send(app(to, i));
      await()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .atMost(Duration.ofSeconds(10))
          .until(() -> t.peerStats(to).requestsSent() == sent);
    }
  }

  private HttpRaftTransport start(HttpTransportSettings settings, Map<Long, URI> peers) {
    HttpRaftTransport t = new HttpRaftTransport(CLUSTER, settings, (SslBundle) null);
    transports.add(t);
    t.start(1, peers, listener);
    return t;
  }

  private static Message app(long to, long index) {
    return Message.newBuilder()
        .setType(MessageType.MsgApp)
        .setFrom(1)
        .setTo(to)
        .setTerm(1)
        .setIndex(index)
        .build();
  }

  private static Message withEntry(Message m) {
    return m.toBuilder()
        .addEntries(Entry.newBuilder().setTerm(1).setIndex(m.getIndex() + 1).setData(ByteString.copyFromUtf8("x")))
        .build();
  }

  private static List<Long> indexes(List<Message> messages) {
    return messages.stream().map(Message::getIndex).toList();
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  /** A loopback URL where nothing listens. */
  static URI deadUrl() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
  }

  private static boolean senderThreadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(th -> th.getName().equals(name) && th.isAlive());
  }
}
