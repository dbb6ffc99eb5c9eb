package dev.raftboot.spring.transport;

import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound side of the HTTP transport: {@code POST <prefix>/messages} (a batch), {@code POST
 * <prefix>/snapshot} (one {@code MsgSnap}) and {@code GET <prefix>/identity} (proves this node's id
 * to a prober, see {@link PeerIdentityProbe}), where the prefix is {@code raft.transport.path-prefix}
 * ({@code /raft} by default).
 *
 * <p>A request is checked completely before any of its messages reaches the node, and a batch is
 * accepted or refused as a whole. With a secret configured its signature ({@link
 * PeerAuthenticator}) is verified, in constant time, over the raw body before the body is parsed.
 * Refusals answer with a status and a one-line plain-text reason:
 *
 * <ul>
 *   <li>401: a secret is configured and the request is not signed, or its signature does not
 *       verify (another secret, another cluster, a request meant for another node or altered on
 *       the way); or no secret is configured here but the request is signed (the nodes disagree on
 *       whether there is a secret);
 *   <li>400: the cluster id, sender or recipient header is missing or malformed, the request is
 *       addressed to another node or claims to come from this one, the body is empty or does not
 *       parse, a message is addressed to another node or is not one a correct peer sends (a type
 *       that never leaves a node, a missing or out-of-range term or index, entries that do not
 *       fit the message: see {@link PeerMessageRules}), the snapshot path gets anything but
 *       exactly one {@code MsgSnap} or the messages path gets one;
 *   <li>403: the cluster id is another cluster's, the sender is not a member, or a message's {@code
 *       from} is not the sender where raft never forwards it ({@link PeerMessageRules#senderViolation});
 *   <li>413: the body is larger than the limit (checked against {@code Content-Length} and while
 *       reading, so an oversized body is never buffered);
 *   <li>503: the node is not running.
 * </ul>
 *
 * A valid request is answered 204 once its messages are queued for the node; they are processed
 * asynchronously.
 *
 * <p>Knows nothing of HTTP beyond headers, statuses and bodies: {@link RaftPeerServlet} adapts the
 * servlet request to it. Thread-safe.
 */
final class PeerEndpoint {

  private static final Logger log = LoggerFactory.getLogger(PeerEndpoint.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final int MAX_CHALLENGE_LENGTH = 128;
  private static final int BAD_REQUEST = 400;
  private static final int UNAUTHORIZED = 401;
  private static final int FORBIDDEN = 403;
  private static final int CONFLICT = 409;
  private static final int CONTENT_TOO_LARGE = 413;
  private static final int SERVICE_UNAVAILABLE = 503;

  private final RaftMessageReceiver receiver;
  private final HttpTransportSettings settings;
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
  private volatile @Nullable Keyed keyed;

  /** The authenticator of the cluster it was made for; the receiver's cluster id may come late. */
  private record Keyed(String clusterId, PeerAuthenticator authenticator) {}

  PeerEndpoint(RaftMessageReceiver receiver, HttpTransportSettings settings) {
    this.receiver = receiver;
    this.settings = settings;
  }

  /** The request headers, looked up by name (case-insensitive); null for a missing header. */
  @FunctionalInterface
  interface RequestHeaders {
    @Nullable String get(String name);
  }

  /**
   * What to answer: a status, extra headers and a plain-text body (empty for 204).
   *
   * @param headers response headers besides {@code Content-Type}, in order
   */
  record Answer(int status, Map<String, String> headers, String text) {
    static final Answer ACCEPTED = new Answer(204, Map.of(), "");
  }

  /** A batch of messages; {@code contentLength} is -1 when the request has none. */
  Answer messages(RequestHeaders headers, long contentLength, InputStream body) {
    return handle(headers, contentLength, body, false);
  }

  /** One {@code MsgSnap}; may be large. */
  Answer snapshot(RequestHeaders headers, long contentLength, InputStream body) {
    return handle(headers, contentLength, body, true);
  }

  /**
   * Proves that this node is the one the prober expects ({@value RaftHeaders#TO}) and, with a
   * secret, that it knows the secret: 200 with {@value RaftHeaders#NODE_ID} and the signature over
   * the challenge. Answered to non-members too (a node being added has no configuration yet), but
   * with a secret only to a prober whose request is signed.
   */
  Answer identity(RequestHeaders headers, @Nullable String challenge) {
    try {
      if (challenge == null || challenge.isEmpty() || challenge.length() > MAX_CHALLENGE_LENGTH) {
        throw new Refusal(BAD_REQUEST, "challenge must be 1 to " + MAX_CHALLENGE_LENGTH + " characters");
      }
      Ids ids = ids(headers);
      authenticate(headers, ids, RaftHeaders.IDENTITY_OPERATION, challenge.getBytes(StandardCharsets.UTF_8));
      checkCluster(ids);
      long self = receiver.nodeId();
      Map<String, String> answer = new LinkedHashMap<>();
      answer.put(RaftHeaders.NODE_ID, id(self));
      String signature = authenticator().signIdentity(ids.cluster(), self, ids.from(), challenge);
      if (signature != null) {
        answer.put(RaftHeaders.SIGNATURE, signature);
      }
      if (ids.to() != self) {
        // Not a refusal of the prober: it reached a real node, just not the one it expected.
        return new Answer(
            CONFLICT,
            answer,
            "this is node " + id(self) + " of cluster '" + abbreviate(ids.cluster()) + "', not node " + id(ids.to()) + "\n");
      }
      return new Answer(200, answer, "node " + id(self) + " of cluster '" + abbreviate(ids.cluster()) + "'\n");
    } catch (Refusal r) {
      return refused(headers, r);
    }
  }

  private Answer handle(RequestHeaders headers, long contentLength, InputStream body, boolean snapshot) {
    try {
      Ids ids = ids(headers);
      byte[] bytes = read(contentLength, body, snapshot);
      authenticate(headers, ids, snapshot ? RaftHeaders.SNAPSHOT_OPERATION : RaftHeaders.MESSAGES_OPERATION, bytes);
      checkCluster(ids);
      checkPeers(ids);
      List<Message> messages = decode(bytes);
      check(messages, ids.from(), snapshot);
      for (Message m : messages) {
        if (!receiver.receive(m)) {
          throw new Refusal(SERVICE_UNAVAILABLE, "raft node " + id(receiver.nodeId()) + " is not running");
        }
      }
      return Answer.ACCEPTED;
    } catch (Refusal r) {
      return refused(headers, r);
    }
  }

  private Answer refused(RequestHeaders headers, Refusal r) {
    logRefusal(headers, r);
    return new Answer(r.status, Map.of(), r.getMessage() + "\n");
  }

  /** The cluster, sender and recipient a request claims; nothing checked but their form. */
  private record Ids(String cluster, long from, long to) {}

  private static Ids ids(RequestHeaders headers) {
    String cluster = headers.get(RaftHeaders.CLUSTER_ID);
    if (cluster == null || cluster.isEmpty()) {
      throw new Refusal(BAD_REQUEST, "missing " + RaftHeaders.CLUSTER_ID + " header");
    }
    return new Ids(cluster, parseId(headers, RaftHeaders.FROM), parseId(headers, RaftHeaders.TO));
  }

  private PeerAuthenticator authenticator() {
    String cluster = receiver.clusterId();
    Keyed k = keyed;
    if (k == null || !k.clusterId().equals(cluster)) {
      k = new Keyed(cluster, new PeerAuthenticator(settings.token(), cluster));
      keyed = k;
    }
    return k.authenticator();
  }

  /** Verifies the signature over what the request claims and its exact body. */
  private void authenticate(RequestHeaders headers, Ids ids, String operation, byte[] body) {
    PeerAuthenticator auth = authenticator();
    String signature = headers.get(RaftHeaders.SIGNATURE);
    if (!auth.enabled()) {
      if (signature != null) {
        throw new Refusal(
            UNAUTHORIZED,
            "the request is signed but this node has no raft.transport.token: give every node the same one");
      }
      return;
    }
    if (signature == null) {
      throw new Refusal(
          UNAUTHORIZED,
          headers.get(RaftHeaders.LEGACY_TOKEN) != null
              ? "the sender sends " + RaftHeaders.LEGACY_TOKEN + " like an older version; this node requires "
                  + RaftHeaders.SIGNATURE + ": run the same version on every node"
              : "missing " + RaftHeaders.SIGNATURE + " header");
    }
    if (!auth.verifyRequest(signature, ids.cluster(), ids.from(), ids.to(), operation, PeerAuthenticator.sha256(body))) {
      throw new Refusal(
          UNAUTHORIZED,
          "wrong " + RaftHeaders.SIGNATURE + ": the sender has another raft.transport.token or"
              + " raft.cluster-id, or the request was meant for another node or altered");
    }
  }

  private void checkCluster(Ids ids) {
    if (!ids.cluster().equals(receiver.clusterId())) {
      throw new Refusal(
          FORBIDDEN,
          "request is for cluster '" + abbreviate(ids.cluster()) + "', this node belongs to another one");
    }
  }

  /** Checks sender and recipient. */
  private void checkPeers(Ids ids) {
    long self = receiver.nodeId();
    if (ids.to() != self) {
      throw new Refusal(
          BAD_REQUEST, "request is addressed to node " + id(ids.to()) + ", this is node " + id(self));
    }
    if (ids.from() == self) {
      // A node never sends to itself; a message that claims to would be stepped as the node's own
      // (an append response from itself can advance its own match past its log).
      throw new Refusal(BAD_REQUEST, "request claims to come from this node " + id(self));
    }
    if (!receiver.isMember(ids.from())) {
      throw new Refusal(FORBIDDEN, "node " + id(ids.from()) + " is not a member of this cluster");
    }
  }

  private byte[] read(long declared, InputStream body, boolean snapshot) {
    long limit = limit(snapshot);
    if (declared > limit) {
      throw tooLarge(limit);
    }
    try {
      return MessageFraming.readBody(body, declared, limit);
    } catch (MessageFraming.TooLargeException e) {
      throw tooLarge(limit);
    } catch (IOException e) {
      throw new Refusal(BAD_REQUEST, "body could not be read: " + e.getMessage());
    }
  }

  private static List<Message> decode(byte[] body) {
    try {
      return MessageFraming.decode(body);
    } catch (IOException e) {
      throw new Refusal(
          BAD_REQUEST,
          "body is not a sequence of length-delimited raftpb.Message: " + e.getMessage());
    }
  }

  private long limit(boolean snapshot) {
    return snapshot ? settings.maxSnapshotSize() : settings.maxMessageSize();
  }

  private static Refusal tooLarge(long limit) {
    return new Refusal(CONTENT_TOO_LARGE, "body is larger than " + limit + " bytes");
  }

  private void check(List<Message> messages, long from, boolean snapshot) {
    if (messages.isEmpty()) {
      throw new Refusal(BAD_REQUEST, "body holds no message");
    }
    if (snapshot && (messages.size() != 1 || messages.get(0).getType() != MessageType.MsgSnap)) {
      throw new Refusal(
          BAD_REQUEST, settings.snapshotPath() + " takes exactly one MsgSnap");
    }
    long self = receiver.nodeId();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      String which = "message " + i + " (" + m.getType() + ")";
      String violation = PeerMessageRules.violation(m);
      if (violation != null) {
        throw new Refusal(BAD_REQUEST, which + " " + violation);
      }
      if (!snapshot && m.getType() == MessageType.MsgSnap) {
        throw new Refusal(BAD_REQUEST, which + " must be sent to " + settings.snapshotPath());
      }
      if (m.getTo() != self) {
        throw new Refusal(
            BAD_REQUEST, which + " is addressed to node " + id(m.getTo()) + ", this is node " + id(self));
      }
      String sender = PeerMessageRules.senderViolation(m, from, receiver::isMember);
      if (sender != null) {
        throw new Refusal(FORBIDDEN, which + " " + sender);
      }
    }
  }

  private static long parseId(RequestHeaders headers, String name) {
    String value = headers.get(name);
    if (value == null || value.isEmpty()) {
      throw new Refusal(BAD_REQUEST, "missing " + name + " header");
    }
    try {
      long id = Long.parseUnsignedLong(value.trim());
      if (id == 0) {
        throw new NumberFormatException("0 is not a node id");
      }
      return id;
    } catch (NumberFormatException e) {
      throw new Refusal(BAD_REQUEST, name + " is not a node id: " + abbreviate(value));
    }
  }

  private void logRefusal(RequestHeaders headers, Refusal r) {
    String from = abbreviate(String.valueOf(headers.get(RaftHeaders.FROM)));
    long now = System.nanoTime();
    long last = lastWarning.get();
    boolean warn =
        r.status != SERVICE_UNAVAILABLE
            && now - last >= WARN_INTERVAL_NANOS
            && lastWarning.compareAndSet(last, now);
    if (warn) {
      // At most once a minute: a misconfigured peer retries many times a second.
      log.warn("refused raft peer request from node {}: {} {}", from, r.status, r.getMessage());
    } else {
      log.debug("refused raft peer request from node {}: {} {}", from, r.status, r.getMessage());
    }
  }

  private static String id(long id) {
    return Long.toUnsignedString(id);
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 40 ? clean : clean.substring(0, 40) + "...";
  }

  /** A refused request: its status and reason. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refusal(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }
}
