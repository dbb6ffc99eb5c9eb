package dev.raftboot.spring.transport;

import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * A {@link RaftTransport} over HTTP/1.1: message batches over one kept-alive blocking connection per
 * peer ({@link PeerConnection}), snapshots with the JDK {@link HttpClient}, whose TLS settings and
 * connect timeout both use.
 *
 * <h2>Sending</h2>
 *
 * <p>Each peer has a bounded queue and one sender thread. {@link #send} only offers the message to
 * the queue, so the raft loop never waits on the network. The sender takes everything queued,
 * posts it as one request to {@code <peer-url><prefix>/messages} (split into several requests only
 * when it would exceed {@link HttpTransportSettings#maxMessageSize()}), waits for the answer and
 * repeats: whatever the raft loop produced while a request was in flight goes out together in the
 * next one, in the order it was sent. The connection is kept alive between requests.
 *
 * <p>When a request fails (I/O error, timeout, a status other than 2xx) its messages and the rest
 * of that batch are dropped and the peer is reported unreachable; so is every message that finds
 * the queue full or is addressed to an unknown peer. Raft resends what matters. A request that
 * failed on a reused connection (the peer closed it while idle) is tried once more first.
 *
 * <h2>Snapshots</h2>
 *
 * <p>{@code MsgSnap} messages bypass the queue: each goes on its own request to {@code
 * <prefix>/snapshot}, on a separate thread, with the snapshot data streamed from the message
 * instead of being copied into a request buffer. The outcome is reported with {@link
 * TransportListener#reportSnapshot} ({@code FINISH} once the peer answered 2xx, otherwise {@code
 * FAILURE} plus {@link TransportListener#reportUnreachable}).
 *
 * <h2>Threads</h2>
 *
 * <p>{@link #send} is called by the raft loop, {@link #updatePeers} by the apply thread; both may
 * run concurrently. Peers added by {@link #updatePeers} get a sender, removed peers lose theirs and
 * their queued messages are dropped.
 */
public final class HttpRaftTransport implements RaftTransport, TransportMetrics, PeerChecks {

  private static final Logger log = LoggerFactory.getLogger(HttpRaftTransport.class);

  private final String clusterId;
  private final HttpTransportSettings settings;
  private final HttpClient client;
  private final PeerAuthenticator authenticator;
  private final PeerIdentityProbe probe;
  private final Map<Long, PeerSender> senders = new ConcurrentHashMap<>();
  private final Map<Long, PeerCounters> counters = new ConcurrentHashMap<>();

  private volatile boolean running;
  private volatile long selfId;
  private volatile @Nullable TransportListener listener;
  private volatile @Nullable ExecutorService snapshotSenders;
  /** What the senders share; set by {@link #start}. */
  private volatile PeerSender.@Nullable Context senderContext;
  private volatile @Nullable PeerCheck selfCheck;

  /**
   * @param clusterId sent with every request; peers refuse requests for another cluster
   * @param settings timeouts, queue size, limits, path prefix and token
   * @param client the client every request goes through, e.g. from {@link #createClient}
   */
  public HttpRaftTransport(String clusterId, HttpTransportSettings settings, HttpClient client) {
    this.clusterId = clusterId;
    this.settings = settings;
    this.client = client;
    this.authenticator = new PeerAuthenticator(settings.token(), clusterId);
    this.probe =
        new PeerIdentityProbe(client, authenticator, clusterId, settings.identityPath(), settings.requestTimeout());
  }

  /** A transport with its own client; {@code sslBundle} is needed only for {@code https} peers. */
  public HttpRaftTransport(
      String clusterId, HttpTransportSettings settings, @Nullable SslBundle sslBundle) {
    this(clusterId, settings, createClient(settings.connectTimeout(), sslBundle));
  }

  /**
   * An HTTP/1.1 client for peer traffic: no proxy, no redirects, and, when {@code sslBundle} is
   * given, the bundle's key material (for peers that require a client certificate), trust material
   * (to verify the peers' certificates), protocols and ciphers. The JDK client verifies that a
   * peer's certificate matches the host name of its URL and disables Nagle's algorithm on its
   * sockets.
   */
  public static HttpClient createClient(Duration connectTimeout, @Nullable SslBundle sslBundle) {
    return clientBuilder(connectTimeout, sslBundle).build();
  }

  /** The builder behind {@link #createClient}, for callers that customize it before building. */
  public static HttpClient.Builder clientBuilder(
      Duration connectTimeout, @Nullable SslBundle sslBundle) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(HttpClient.Builder.NO_PROXY);
    if (sslBundle != null) {
      SSLContext context = sslBundle.createSslContext();
      builder.sslContext(context);
      SslOptions options = sslBundle.getOptions();
      if (options.isSpecified()) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        if (options.getCiphers() != null) {
          parameters.setCipherSuites(options.getCiphers());
        }
        if (options.getEnabledProtocols() != null) {
          parameters.setProtocols(options.getEnabledProtocols());
        }
        builder.sslParameters(parameters);
      }
    }
    return builder;
  }

  // --- RaftTransport ------------------------------------------------------------------------------

  @Override
  public synchronized void start(long selfId, Map<Long, URI> peers, TransportListener listener) {
    if (running) {
      throw new IllegalStateException("transport already started");
    }
    this.selfId = selfId;
    this.listener = listener;
    ExecutorService snapshots = Executors.newCachedThreadPool(daemonThreads("raft-snapshot-" + selfId + "-"));
    this.snapshotSenders = snapshots;
    this.senderContext =
        new PeerSender.Context(
            selfId, clusterId, settings, client, authenticator, probe, new RunningListener(), snapshots);
    running = true;
    applyPeers(peers);
    log.debug("raft transport of node {} started with peers {}", selfId, peers);
  }

  @Override
  public void send(Message message) {
    long to = message.getTo();
    PeerSender sender = senders.get(to);
    if (sender == null || !running) {
      countersOf(to).dropped(1, MessageFraming.framedSize(message));
      log.debug("dropped {} to unknown peer {}", message.getType(), to);
      if (message.getType() == MessageType.MsgSnap) {
        reportSnapshotFailure(to);
      } else {
        reportUnreachable(to);
      }
      return;
    }
    if (message.getType() == MessageType.MsgSnap) {
      sender.sendSnapshot(message);
    } else if (!sender.queue.offer(message)) {
      sender.counters.dropped(1, MessageFraming.framedSize(message));
      log.debug("send queue to peer {} is full; dropped {}", to, message.getType());
      reportUnreachable(to);
    }
  }

  @Override
  public synchronized void updatePeers(Map<Long, URI> peers) {
    if (running) {
      applyPeers(peers);
    }
  }

  @Override
  public void stop() {
    ExecutorService snapshots;
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
      for (PeerSender s : senders.values()) {
        s.stop();
      }
      senders.clear();
      snapshots = snapshotSenders;
      snapshotSenders = null;
    }
    if (snapshots != null) {
      snapshots.shutdownNow();
    }
    log.debug("raft transport of node {} stopped", selfId);
  }

  // --- metrics -------------------------------------------------------------------------------------

  /** Counters of one peer; {@link PeerStats#NONE} for a peer never sent to. */
  public PeerStats peerStats(long peerId) {
    PeerCounters c = counters.get(peerId);
    return c == null ? PeerStats.NONE : c.snapshot();
  }

  /** Counters of every peer ever sent to, by id. */
  @Override
  public Map<Long, PeerStats> traffic() {
    return peerStats();
  }

  public Map<Long, PeerStats> peerStats() {
    Map<Long, PeerStats> out = new TreeMap<>();
    counters.forEach((id, c) -> out.put(id, c.snapshot()));
    return out;
  }

  /** Messages waiting in the queue of {@code peerId} (0 for an unknown peer). */
  public int queuedMessages(long peerId) {
    PeerSender s = senders.get(peerId);
    return s == null ? 0 : s.queue.size();
  }

  @Override
  public Map<Long, PeerCheck> peerChecks() {
    Map<Long, PeerCheck> out = new TreeMap<>();
    senders.forEach((id, s) -> out.put(id, s.check));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public @Nullable PeerCheck selfCheck() {
    return selfCheck;
  }

  /**
   * Checks that {@code ownUrl}, this node's entry in the peer list, reaches this node: the peers
   * send to that URL. Blocks for up to the request timeout; logs an error saying which node or
   * which failure was found there instead.
   */
  public PeerCheck checkSelf(URI ownUrl) throws InterruptedException {
    PeerCheck c = probe.probe(selfId, selfId, ownUrl);
    selfCheck = c;
    if (c.state() == PeerCheck.State.VERIFIED) {
      log.info("raft node {} reaches itself at its own URL {}", Long.toUnsignedString(selfId), ownUrl);
    } else {
      log.error(
          "raft node {} is listed at {} (raft.peers.{}), but that URL does not reach this node: {}."
              + " The peers send to that URL; correct it on every node",
          Long.toUnsignedString(selfId), ownUrl, Long.toUnsignedString(selfId), c.detail());
    }
    return c;
  }

  /** The peers currently sent to and their base URLs. */
  public Map<Long, URI> peers() {
    Map<Long, URI> out = new TreeMap<>();
    senders.forEach((id, s) -> out.put(id, s.base));
    return Collections.unmodifiableMap(out);
  }

  // --- internals -----------------------------------------------------------------------------------

  /** Called with the monitor held. */
  private void applyPeers(Map<Long, URI> peers) {
    Map<Long, URI> wanted = new HashMap<>(peers);
    wanted.remove(selfId);
    for (Iterator<Map.Entry<Long, PeerSender>> it = senders.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, PeerSender> e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        it.remove();
        e.getValue().stop();
        log.info("raft transport of node {} stopped sending to removed peer {}", selfId, e.getKey());
      }
    }
    PeerSender.Context context = senderContext;
    for (Map.Entry<Long, URI> e : wanted.entrySet()) {
      PeerSender s = senders.get(e.getKey());
      if (s == null) {
        s = new PeerSender(Objects.requireNonNull(context), e.getKey(), e.getValue(), countersOf(e.getKey()));
        senders.put(e.getKey(), s);
        s.start();
      } else if (!s.base.equals(e.getValue())) {
        log.info("raft peer {} moved from {} to {}", e.getKey(), s.base, e.getValue());
        s.target(e.getValue());
      }
    }
  }

  private PeerCounters countersOf(long peerId) {
    return counters.computeIfAbsent(peerId, id -> new PeerCounters());
  }

  private void reportUnreachable(long peerId) {
    TransportListener l = listener;
    if (running && l != null) {
      l.reportUnreachable(peerId);
    }
  }

  private void reportSnapshotFailure(long peerId) {
    TransportListener l = listener;
    if (running && l != null) {
      l.reportUnreachable(peerId);
      l.reportSnapshot(peerId, SnapshotStatus.FAILURE);
    }
  }

  /** The node's listener as the senders see it: silent once the transport stopped. */
  private final class RunningListener implements TransportListener {
    @Override
    public void reportUnreachable(long peerId) {
      HttpRaftTransport.this.reportUnreachable(peerId);
    }

    @Override
    public void reportSnapshot(long peerId, SnapshotStatus status) {
      TransportListener l = listener;
      if (running && l != null) {
        l.reportSnapshot(peerId, status);
      }
    }
  }

  static URI endpoint(URI base, String path) {
    String scheme = base.getScheme();
    if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || base.getHost() == null) {
      throw new IllegalArgumentException("a peer URL must be http(s)://host[:port][/path]");
    }
    String b = base.toString();
    while (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    return URI.create(b + path);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
