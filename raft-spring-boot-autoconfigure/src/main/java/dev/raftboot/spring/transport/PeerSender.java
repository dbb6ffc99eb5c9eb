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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue and sender thread of one peer of an {@link HttpRaftTransport}: batches what is queued
 * onto the peer's {@link PeerConnection}, sends snapshots on the transport's snapshot threads, and
 * sends nothing before the peer proved its identity ({@link PeerIdentityProbe}).
 *
 * <p>{@link #queue} is offered to by the raft loop; {@link #target} is called by the apply thread;
 * everything else runs on the sender thread or a snapshot thread.
 */
final class PeerSender implements Runnable {

  // The transport's category, so that logging configured for it still covers what the senders log.
  private static final Logger log = LoggerFactory.getLogger(HttpRaftTransport.class);
  private static final int LOGGED_BODY_CHARS = 200;
  /** How often a peer that has not proved its identity is asked again. */
  private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /**
   * What every sender of one transport shares, fixed when the transport starts.
   *
   * @param reports the node's listener, silenced once the transport stopped
   * @param snapshotSenders the threads snapshots are sent on; rejects once the transport stopped
   */
  record Context(
      long selfId,
      String clusterId,
      HttpTransportSettings settings,
      HttpClient client,
      PeerAuthenticator authenticator,
      PeerIdentityProbe probe,
      TransportListener reports,
      ExecutorService snapshotSenders) {}

  final long id;
  final BlockingQueue<Message> queue;
  final PeerCounters counters;
  private final Context context;
  private final Thread thread;
  volatile URI base;
  /** Null while the peer's URL is unusable: every request then fails. */
  private volatile @Nullable URI messagesUri;
  private volatile @Nullable URI snapshotUri;
  private volatile boolean stopped;
  /** Whether the last request failed; only used to log state changes once. */
  private volatile boolean failing;
  /** Nothing is sent before this verifies {@link #base}. */
  volatile PeerCheck check;
  /** After a failed check, the next one waits until then; a new address is checked at once. */
  private volatile boolean backingOff;
  private volatile long nextProbeNanos;
  /** Message batches go over this connection, owned by the sender thread. */
  private volatile @Nullable PeerConnection connection;
  private @Nullable URI connectionUri;
  private final long lingerNanos;

  PeerSender(Context context, long id, URI base, PeerCounters counters) {
    this.context = context;
    this.id = id;
    this.queue = new ArrayBlockingQueue<>(context.settings().queueSize());
    this.counters = counters;
    this.lingerNanos = context.settings().commitLinger().toNanos();
    this.thread = new Thread(this, "raft-send-" + context.selfId() + "-to-" + id);
    this.thread.setDaemon(true);
    this.base = base;
    this.check = PeerCheck.pending(base, "identity not checked yet");
    target(base);
  }

  void target(URI newBase) {
    base = newBase;
    check = PeerCheck.pending(newBase, "identity not checked yet");
    backingOff = false;
    try {
      messagesUri = HttpRaftTransport.endpoint(newBase, context.settings().messagesPath());
      snapshotUri = HttpRaftTransport.endpoint(newBase, context.settings().snapshotPath());
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
    PeerCheck result = context.probe().probe(context.selfId(), id, address);
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
      HttpClient client = context.client();
      c = new PeerConnection(
          uri,
          headers(),
          client.connectTimeout().orElse(HttpTransportSettings.DEFAULT_CONNECT_TIMEOUT),
          context.settings().requestTimeout(),
          tls ? client.sslContext() : null,
          tls ? client.sslParameters() : null,
          counters.connectionsOpened);
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
        lingerWhileOnlyCommitUpdates(pending);
        try {
          deliver(pending);
        } catch (RuntimeException e) {
          // Not expected; keep the sender alive and let raft retry.
          log.error("sending to raft peer {} failed unexpectedly", id, e);
          counters.requestsFailed.incrementAndGet();
          dropFrom(pending, 0);
          failed(e.toString());
          context.reports().reportUnreachable(id);
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

  /**
   * A leader tells a follower about a new commit index with an append that has no entries, and the
   * follower answers it like any append: with one client in a closed loop that is a second
   * request and a second answer per command, each way. Holding such a batch back for at most
   * {@code commitLinger} lets it share a request with the next message (at a steady load, the
   * next command's append, which carries the same commit index), so each side processes one
   * request less. Raft tolerates any delay; only the follower's commit index (and so its apply)
   * lags by up to the linger. Anything else in the batch sends it at once.
   */
  private void lingerWhileOnlyCommitUpdates(List<Message> pending) throws InterruptedException {
    long linger = lingerNanos;
    if (linger == 0 || !onlyCommitUpdates(pending)) {
      return;
    }
    long deadline = System.nanoTime() + linger;
    while (onlyCommitUpdates(pending)) {
      Message next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      pending.add(next);
      queue.drainTo(pending);
    }
  }

  static boolean onlyCommitUpdates(List<Message> pending) {
    for (Message m : pending) {
      if (m.getType() != MessageType.MsgApp || m.getEntriesCount() != 0) {
        return false;
      }
    }
    return true;
  }

  private void deliver(List<Message> pending) throws InterruptedException {
    if (!verified()) {
      dropFrom(pending, 0);
      context.reports().reportUnreachable(id);
      return;
    }
    long maxMessageSize = context.settings().maxMessageSize();
    int i = 0;
    while (i < pending.size()) {
      int end = i;
      long size = 0;
      while (end < pending.size()) {
        int s = MessageFraming.framedSize(pending.get(end));
        if (end > i && size + s > maxMessageSize) {
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
        try {
          PeerConnection connection = connectionTo(uri);
          boolean signed = context.authenticator().enabled();
          PeerConnection.Request request =
              connection.request(Math.toIntExact(size), signed ? PeerAuthenticator.SIGNATURE_LENGTH : 0);
          // Encoded once, in place, and hashed there: the body is never copied.
          MessageFraming.encode(pending, i, end, request.bytes(), request.bodyOffset(), request.bodyLength());
          String signature =
              sign(RaftHeaders.MESSAGES_OPERATION, PeerAuthenticator.sha256(request.bytes(), request.bodyOffset(), request.bodyLength()));
          if (signature != null) {
            request.sign(signature);
          }
          failure = postMessages(connection, request);
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
        context.reports().reportUnreachable(id);
        return;
      }
      counters.requestsSent.incrementAndGet();
      counters.sent(end - i, size);
      succeeded();
      i = end;
    }
  }

  void sendSnapshot(Message m) {
    try {
      context.snapshotSenders().execute(() -> deliverSnapshotOrFail(m));
    } catch (RejectedExecutionException e) {
      counters.dropped(1, MessageFraming.framedSize(m));
      reportSnapshotFailure();
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
      reportSnapshotFailure();
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
        HttpRequest.Builder request =
            HttpRequest.newBuilder(uri).timeout(context.settings().snapshotTimeout());
        headers().forEach(request::header);
        String signature = sign(RaftHeaders.SNAPSHOT_OPERATION, hash(body));
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
      context.reports().reportSnapshot(id, SnapshotStatus.FINISH);
    } else {
      counters.requestsFailed.incrementAndGet();
      counters.snapshotsFailed.incrementAndGet();
      counters.dropped(1, body.length());
      log.warn(
          "could not send snapshot at index {} to raft peer {} at {}: {}",
          m.getSnapshot().getMetadata().getIndex(), id, base, failure);
      recheck(failure);
      reportSnapshotFailure();
    }
  }

  private void reportSnapshotFailure() {
    context.reports().reportUnreachable(id);
    context.reports().reportSnapshot(id, SnapshotStatus.FAILURE);
  }

  /** The headers of every request to this peer, in order. */
  private Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", RaftHeaders.CONTENT_TYPE);
    h.put(RaftHeaders.CLUSTER_ID, context.clusterId());
    h.put(RaftHeaders.FROM, Long.toUnsignedString(context.selfId()));
    h.put(RaftHeaders.TO, Long.toUnsignedString(id));
    return h;
  }

  /** The signature of a request with {@code bodyHash}, or null without a secret. */
  private @Nullable String sign(String operation, byte[] bodyHash) {
    return context.authenticator().signRequest(context.clusterId(), context.selfId(), id, operation, bodyHash);
  }

  private static byte[] hash(MessageFraming.StreamedBody body) {
    try (InputStream in = body.opener().get()) {
      return PeerAuthenticator.sha256(in);
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot body could not be read", e);
    }
  }

  /** Posts a batch on {@code connection}; null on 2xx, otherwise what went wrong. */
  private static @Nullable String postMessages(PeerConnection connection, PeerConnection.Request request) {
    for (int attempt = 0; ; attempt++) {
      boolean reused = connection.isOpen();
      try {
        return connection.post(request);
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
        HttpResponse<String> response = context.client().send(request, BodyHandlers.ofString());
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
