package dev.raftboot.spring.transport;

import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
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
  private static final int LOGGED_BODY_CHARS = 200;
  /** How often a peer that has not proved its identity is asked again. */
  private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final String clusterId;
  private final HttpTransportSettings settings;
  private final HttpClient client;
  private final PeerAuthenticator authenticator;
  private final PeerIdentityProbe probe;
  private final Map<Long, PeerSender> senders = new ConcurrentHashMap<>();
  private final Map<Long, Counters> counters = new ConcurrentHashMap<>();

  private volatile boolean running;
  private volatile long selfId;
  private volatile @Nullable TransportListener listener;
  private volatile @Nullable ExecutorService snapshotSenders;
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
    this.snapshotSenders = Executors.newCachedThreadPool(daemonThreads("raft-snapshot-" + selfId + "-"));
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
    Counters c = counters.get(peerId);
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
    for (Map.Entry<Long, URI> e : wanted.entrySet()) {
      PeerSender s = senders.get(e.getKey());
      if (s == null) {
        s = new PeerSender(e.getKey(), e.getValue());
        senders.put(e.getKey(), s);
        s.start();
      } else if (!s.base.equals(e.getValue())) {
        log.info("raft peer {} moved from {} to {}", e.getKey(), s.base, e.getValue());
        s.target(e.getValue());
      }
    }
  }

  private Counters countersOf(long peerId) {
    return counters.computeIfAbsent(peerId, id -> new Counters());
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

  private HttpRequest.Builder request(URI uri, long peerId, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
    headers(peerId).forEach(b::header);
    return b;
  }

  /** The headers of every request to {@code peerId}, in order. */
  private Map<String, String> headers(long peerId) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", RaftHeaders.CONTENT_TYPE);
    h.put(RaftHeaders.CLUSTER_ID, clusterId);
    h.put(RaftHeaders.FROM, Long.toUnsignedString(selfId));
    h.put(RaftHeaders.TO, Long.toUnsignedString(peerId));
    return h;
  }

  /** The signature of a request to {@code peerId} with {@code body}'s hash, or null without a secret. */
  private @Nullable String sign(long peerId, String operation, byte[] bodyHash) {
    return authenticator.signRequest(clusterId, selfId, peerId, operation, bodyHash);
  }

  /** Posts a batch on {@code connection}; null on 2xx, otherwise what went wrong. */
  private static @Nullable String postMessages(PeerConnection connection, byte[] body, @Nullable String signature) {
    for (int attempt = 0; ; attempt++) {
      boolean reused = connection.isOpen();
      try {
        return connection.post(body, signature);
      } catch (SocketTimeoutException e) {
        return "no response within the request timeout (" + e.getMessage() + ")";
      } catch (IOException e) {
        // A kept-alive connection the peer had closed fails at once: one more try on a new one.
        // Raft tolerates a message delivered twice, so the retry is safe even if that guess is
        // wrong.
        if (attempt == 0 && reused && !(e instanceof SSLException)) {
          log.debug("retrying {} once after {}", connection, e.toString());
          continue;
        }
        return e.toString();
      }
    }
  }

  /** Posts {@code request}; null on 2xx, otherwise what went wrong. */
  private @Nullable String post(HttpRequest request) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return null;
        }
        return "HTTP " + status + " " + abbreviate(response.body());
      } catch (IOException e) {
        if (attempt == 0 && mayBeStaleConnection(e)) {
          log.debug("retrying {} once after {}", request.uri(), e.toString());
          continue;
        }
        return e.toString();
      }
    }
  }

  /**
   * Whether {@code e} may mean the pooled connection had been closed by the peer: then the request
   * never reached it and one more try on a new connection is worth it. Raft tolerates a message
   * delivered twice, so a retry is safe even when that guess is wrong.
   */
  private static boolean mayBeStaleConnection(IOException e) {
    return !(e instanceof HttpTimeoutException)
        && !(e instanceof ConnectException)
        && !(e instanceof SSLException);
  }

  private static String abbreviate(@Nullable String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= LOGGED_BODY_CHARS ? oneLine : oneLine.substring(0, LOGGED_BODY_CHARS) + "...";
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

  /** The queue and sender thread of one peer. */
  private final class PeerSender implements Runnable {
    final long id;
    final BlockingQueue<Message> queue;
    final Counters counters;
    final Thread thread;
    volatile URI base;
    /** Null while the peer's URL is unusable: every request then fails. */
    volatile @Nullable URI messagesUri;
    volatile @Nullable URI snapshotUri;
    volatile boolean stopped;
    /** Whether the last request failed; only used to log state changes once. */
    volatile boolean failing;
    /** Nothing is sent before this verifies {@link #base}. */
    volatile PeerCheck check;
    /** After a failed check, the next one waits until then; a new address is checked at once. */
    private volatile boolean backingOff;
    private volatile long nextProbeNanos;
    /** Message batches go over this connection, owned by the sender thread. */
    private volatile @Nullable PeerConnection connection;
    private @Nullable URI connectionUri;

    PeerSender(long id, URI base) {
      this.id = id;
      this.queue = new ArrayBlockingQueue<>(settings.queueSize());
      this.counters = countersOf(id);
      this.thread = new Thread(this, "raft-send-" + selfId + "-to-" + id);
      this.thread.setDaemon(true);
      target(base);
    }

    void target(URI newBase) {
      base = newBase;
      check = PeerCheck.pending(newBase, "identity not checked yet");
      backingOff = false;
      try {
        messagesUri = endpoint(newBase, settings.messagesPath());
        snapshotUri = endpoint(newBase, settings.snapshotPath());
      } catch (IllegalArgumentException e) {
        // Called on the node's apply thread: a bad address must not stop the node.
        messagesUri = null;
        snapshotUri = null;
        log.error("raft peer {} has an unusable URL {}: {}", id, newBase, e.getMessage());
      }
    }

    void start() {
      thread.start();
    }

    /**
     * Whether the peer at {@link #base} proved its identity; if not, asks it, and after a failed
     * check again only once {@link #PROBE_INTERVAL_NANOS} passed. Called by the sender and the
     * snapshot threads.
     */
    synchronized boolean verified() throws InterruptedException {
      URI address = base;
      if (check.verifies(address)) {
        return true;
      }
      if (backingOff && System.nanoTime() - nextProbeNanos < 0) {
        return false;
      }
      PeerCheck previous = check;
      PeerCheck result = probe.probe(selfId, id, address);
      if (!address.equals(base)) {
        return false; // moved while probing: the new address is checked next time
      }
      check = result;
      if (result.state() == PeerCheck.State.VERIFIED) {
        backingOff = false;
        log.info("raft peer {} verified: {}", id, result.detail());
        return true;
      }
      counters.requestsFailed.incrementAndGet();
      nextProbeNanos = System.nanoTime() + PROBE_INTERVAL_NANOS;
      backingOff = true;
      if (!result.detail().equals(previous.detail())) {
        log.warn("raft peer {}: nothing is sent to it until it proves its identity: {}", id, result.detail());
      } else {
        log.debug("raft peer {} still unverified: {}", id, result.detail());
      }
      return false;
    }

    /** After a failed request the peer is asked again who it is before more is sent. */
    private void recheck(String failure) {
      URI address = base;
      if (check.verifies(address)) {
        check = PeerCheck.pending(address, "checked again after a failed request: " + failure);
      }
    }

    /** The connection to {@code uri}, replacing one to an older address. Sender thread only. */
    private PeerConnection connectionTo(URI uri) {
      PeerConnection c = connection;
      if (c == null || !uri.equals(connectionUri)) {
        if (c != null) {
          c.close();
        }
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        c = new PeerConnection(
            uri,
            headers(id),
            client.connectTimeout().orElse(HttpTransportSettings.DEFAULT_CONNECT_TIMEOUT),
            settings.requestTimeout(),
            tls ? client.sslContext() : null,
            tls ? client.sslParameters() : null);
        connection = c;
        connectionUri = uri;
      }
      return c;
    }

    void stop() {
      stopped = true;
      thread.interrupt();
      PeerConnection c = connection;
      if (c != null) {
        c.close(); // unblocks a request in progress
      }
      dropQueued();
    }

    @Override
    public void run() {
      List<Message> pending = new ArrayList<>();
      try {
        while (!stopped) {
          pending.add(queue.take());
          queue.drainTo(pending);
          try {
            deliver(pending);
          } catch (RuntimeException e) {
            // Not expected; keep the sender alive and let raft retry.
            log.error("sending to raft peer {} failed unexpectedly", id, e);
            counters.requestsFailed.incrementAndGet();
            dropFrom(pending, 0);
            failed(e.toString());
            reportUnreachable(id);
          }
          pending.clear();
        }
      } catch (InterruptedException e) {
        // stop() interrupts a sender that is waiting for work or for a response.
      } finally {
        dropFrom(pending, 0);
        dropQueued();
        PeerConnection c = connection;
        if (c != null) {
          c.close();
        }
      }
    }

    private void deliver(List<Message> pending) throws InterruptedException {
      if (!verified()) {
        dropFrom(pending, 0);
        reportUnreachable(id);
        return;
      }
      int i = 0;
      while (i < pending.size()) {
        int end = i;
        long size = 0;
        while (end < pending.size()) {
          int s = MessageFraming.framedSize(pending.get(end));
          if (end > i && size + s > settings.maxMessageSize()) {
            break;
          }
          size += s;
          end++;
        }
        URI uri = messagesUri;
        String failure;
        if (uri == null) {
          failure = "unusable peer URL " + base;
        } else {
          byte[] body = MessageFraming.encode(pending, i, end, Math.toIntExact(size));
          try {
            String signature = sign(id, RaftHeaders.MESSAGES_OPERATION, PeerAuthenticator.sha256(body));
            failure = postMessages(connectionTo(uri), body, signature);
          } catch (RuntimeException e) {
            // E.g. a header value that cannot be sent.
            failure = e.toString();
          }
          if (stopped) {
            throw new InterruptedException("sender stopped");
          }
        }
        if (failure != null) {
          // What is still pending was queued behind this request; raft resends after the report.
          counters.requestsFailed.incrementAndGet();
          dropFrom(pending, i);
          pending.clear();
          failed(failure);
          recheck(failure);
          reportUnreachable(id);
          return;
        }
        counters.requestsSent.incrementAndGet();
        counters.sent(end - i, size);
        succeeded();
        i = end;
      }
    }

    void sendSnapshot(Message m) {
      ExecutorService executor = snapshotSenders;
      try {
        if (executor == null) {
          throw new RejectedExecutionException("transport stopped");
        }
        executor.execute(() -> deliverSnapshotOrFail(m));
      } catch (RejectedExecutionException e) {
        counters.dropped(1, MessageFraming.framedSize(m));
        reportSnapshotFailure(id);
      }
    }

    /** Raft waits for the outcome of every snapshot, so one is reported whatever happens. */
    private void deliverSnapshotOrFail(Message m) {
      try {
        deliverSnapshot(m);
      } catch (RuntimeException e) {
        counters.requestsFailed.incrementAndGet();
        counters.snapshotsFailed.incrementAndGet();
        counters.dropped(1, MessageFraming.framedSize(m));
        log.warn("could not send snapshot to raft peer {}", id, e);
        reportSnapshotFailure(id);
      }
    }

    private void deliverSnapshot(Message m) {
      MessageFraming.StreamedBody body = MessageFraming.streamed(m);
      URI uri = snapshotUri;
      String failure;
      try {
        if (uri == null) {
          failure = "unusable peer URL " + base;
        } else if (!verified()) {
          failure = "peer has not proved its identity: " + check.detail();
        } else {
          HttpRequest.Builder request = request(uri, id, settings.snapshotTimeout());
          String signature = sign(id, RaftHeaders.SNAPSHOT_OPERATION, hash(body));
          if (signature != null) {
            request.header(RaftHeaders.SIGNATURE, signature);
          }
          request.POST(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(body.opener()), body.length()));
          failure = post(request.build());
        }
      } catch (InterruptedException e) {
        // The transport is stopping.
        Thread.currentThread().interrupt();
        return;
      }
      if (failure == null) {
        counters.requestsSent.incrementAndGet();
        counters.sent(1, body.length());
        counters.snapshotsSent.incrementAndGet();
        log.info(
            "sent snapshot at index {} ({} bytes) to raft peer {}",
            m.getSnapshot().getMetadata().getIndex(), body.length(), id);
        succeeded();
        TransportListener l = listener;
        if (running && l != null) {
          l.reportSnapshot(id, SnapshotStatus.FINISH);
        }
      } else {
        counters.requestsFailed.incrementAndGet();
        counters.snapshotsFailed.incrementAndGet();
        counters.dropped(1, body.length());
        log.warn(
            "could not send snapshot at index {} to raft peer {} at {}: {}",
            m.getSnapshot().getMetadata().getIndex(), id, base, failure);
        recheck(failure);
        reportSnapshotFailure(id);
      }
    }

    private byte[] hash(MessageFraming.StreamedBody body) {
      try (InputStream in = body.opener().get()) {
        return PeerAuthenticator.sha256(in);
      } catch (IOException e) {
        throw new UncheckedIOException("snapshot body could not be read", e);
      }
    }

    private void dropFrom(List<Message> pending, int from) {
      long bytes = 0;
      for (int j = from; j < pending.size(); j++) {
        bytes += MessageFraming.framedSize(pending.get(j));
      }
      if (pending.size() > from) {
        counters.dropped(pending.size() - from, bytes);
      }
    }

    private void dropQueued() {
      List<Message> rest = new ArrayList<>();
      queue.drainTo(rest);
      dropFrom(rest, 0);
    }

    private void failed(String failure) {
      if (!failing) {
        failing = true;
        log.warn("raft peer {} at {} is unreachable: {}", id, messagesUri, failure);
      } else {
        log.debug("raft peer {} at {} is still unreachable: {}", id, messagesUri, failure);
      }
    }

    private void succeeded() {
      if (failing) {
        failing = false;
        log.info("raft peer {} at {} is reachable again", id, messagesUri);
      }
    }
  }

  /** Monotonic counters of one peer. */
  private static final class Counters {
    final AtomicLong messagesSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong messagesDropped = new AtomicLong();
    final AtomicLong bytesDropped = new AtomicLong();
    final AtomicLong requestsSent = new AtomicLong();
    final AtomicLong requestsFailed = new AtomicLong();
    final AtomicLong snapshotsSent = new AtomicLong();
    final AtomicLong snapshotsFailed = new AtomicLong();

    void sent(long messages, long bytes) {
      messagesSent.addAndGet(messages);
      bytesSent.addAndGet(bytes);
    }

    void dropped(long messages, long bytes) {
      messagesDropped.addAndGet(messages);
      bytesDropped.addAndGet(bytes);
    }

    PeerStats snapshot() {
      return new PeerStats(
          messagesSent.get(),
          bytesSent.get(),
          messagesDropped.get(),
          bytesDropped.get(),
          requestsSent.get(),
          requestsFailed.get(),
          snapshotsSent.get(),
          snapshotsFailed.get());
    }
  }
}
