package dev.raftboot.spring.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.transport.RecordingListener.SnapshotReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Peers over HTTPS with mutual TLS: the server is a Boot web server configured with {@code
 * server.ssl.bundle} and {@code client-auth=need}, the client takes its key and trust material from
 * a {@code spring.ssl.bundle.*} bundle. The endpoint also lives under a non-default path prefix.
 */
class HttpRaftTransportTlsTests {

  private static final String CLUSTER = "c1";
  private static final HttpTransportSettings SETTINGS =
      HttpTransportSettings.defaults()
          .withPathPrefix("/internal/raft/")
          // The first handshakes of a cold JVM on a loaded machine can take seconds.
          .withConnectTimeout(Duration.ofSeconds(20))
          .withRequestTimeout(Duration.ofSeconds(30));

  private static final RecordingReceiver node2 = new RecordingReceiver(2, CLUSTER, Set.of(1L, 2L));
  private static PeerApp app2;
  private static SslBundles bundles;

  private final RecordingListener listener = new RecordingListener();
  private final List<HttpRaftTransport> transports = new ArrayList<>();

  @BeforeAll
  static void startPeer() {
    app2 =
        PeerApp.start(
            node2,
            SETTINGS,
            "server.ssl.bundle=raft-peer",
            "server.ssl.client-auth=need",
            "spring.ssl.bundle.jks.raft-peer.keystore.location=classpath:tls/peer.p12",
            "spring.ssl.bundle.jks.raft-peer.keystore.password=changeit",
            "spring.ssl.bundle.jks.raft-peer.keystore.type=PKCS12",
            "spring.ssl.bundle.jks.raft-peer.truststore.location=classpath:tls/peer-trust.p12",
            "spring.ssl.bundle.jks.raft-peer.truststore.password=changeit",
            "spring.ssl.bundle.jks.raft-peer.truststore.type=PKCS12",
            "spring.ssl.bundle.pem.trust-only.truststore.certificate=classpath:tls/peer.crt");
    // The same bundles a node's transport would get from its own context.
    bundles = app2.context().getBean(SslBundles.class);
  }

  @AfterAll
  static void stopPeer() {
    app2.close();
  }

  @BeforeEach
  @AfterEach
  void reset() {
    transports.forEach(HttpRaftTransport::stop);
    node2.reset();
  }

  @Test
  void deliversMessagesAndSnapshotsOverMutualTls() {
    assertThat(app2.url().getScheme()).isEqualTo("https");
    HttpRaftTransport t = start(bundles.getBundle("raft-peer"));
    Message snap = RaftPeerServletTests.snapshot(1, 2, 256 * 1024);

    t.send(heartbeat());
    t.send(snap);

    await().atMost(Duration.ofSeconds(40)).until(() -> node2.received.size() == 2 && !listener.snapshots.isEmpty());
    assertThat(node2.received).contains(heartbeat(), snap);
    assertThat(listener.snapshots).containsExactly(new SnapshotReport(2, SnapshotStatus.FINISH));
    assertThat(listener.unreachable).isEmpty();
  }

  @Test
  void reportsUnreachableWhenThePeerCertificateIsNotTrusted() {
    HttpRaftTransport t = start(null); // the JDK's default trust store does not know the peer

    t.send(heartbeat());

    await().atMost(Duration.ofSeconds(40)).until(() -> listener.unreachable.contains(2L));
    assertThat(node2.received).isEmpty();
  }

  @Test
  void reportsUnreachableWithoutAClientCertificate() {
    HttpRaftTransport t = start(bundles.getBundle("trust-only")); // trusts the peer, has no key

    t.send(heartbeat());

    await().atMost(Duration.ofSeconds(40)).until(() -> listener.unreachable.contains(2L));
    assertThat(node2.received).isEmpty();
  }

  private HttpRaftTransport start(@Nullable SslBundle bundle) {
    HttpRaftTransport t = new HttpRaftTransport(CLUSTER, SETTINGS, bundle);
    transports.add(t);
    t.start(1, Map.of(2L, app2.url()), listener);
    return t;
  }

  private static Message heartbeat() {
    return Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(1).setTo(2).setTerm(1).build();
  }
}
