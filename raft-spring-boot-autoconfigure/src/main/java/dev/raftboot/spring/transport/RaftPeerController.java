package dev.raftboot.spring.transport;

import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The inbound side of the HTTP transport: {@code POST <prefix>/messages} (a batch) and {@code POST
 * <prefix>/snapshot} (one {@code MsgSnap}), where the prefix is {@code raft.transport.path-prefix}
 * ({@code /raft} by default).
 *
 * <p>A request is checked completely before any of its messages reaches the node, and a batch is
 * accepted or refused as a whole. Refusals answer with a status and a one-line plain-text reason:
 *
 * <ul>
 *   <li>401: a token is configured and the request has none or another one (compared in constant
 *       time);
 *   <li>400: the cluster id, sender or recipient header is missing or malformed, the request is
 *       addressed to another node or claims to come from this one, the body is empty or does not
 *       parse, a message is addressed to another node or is not one a correct peer sends (a type
 *       that never leaves a node, a missing or out-of-range term or index, entries that do not
 *       fit the message: see {@link PeerMessageRules}), the snapshot path gets anything but
 *       exactly one {@code MsgSnap} or the messages path gets one;
 *   <li>403: the cluster id is another cluster's, the sender is not a member, or a message's {@code
 *       from} is not the sender;
 *   <li>413: the body is larger than the limit (checked against {@code Content-Length} and while
 *       reading, so an oversized body is never buffered);
 *   <li>503: the node is not running.
 * </ul>
 *
 * A valid request is answered 204 once its messages are queued for the node; they are processed
 * asynchronously.
 */
@RestController
@RequestMapping("${raft.transport.path-prefix:" + HttpTransportSettings.DEFAULT_PATH_PREFIX + "}")
public class RaftPeerController {

  private static final Logger log = LoggerFactory.getLogger(RaftPeerController.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final RaftMessageReceiver receiver;
  private final HttpTransportSettings settings;
  private final byte @Nullable [] tokenDigest;
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

  public RaftPeerController(RaftMessageReceiver receiver, HttpTransportSettings settings) {
    this.receiver = receiver;
    this.settings = settings;
    this.tokenDigest = settings.token() == null ? null : sha256(settings.token());
  }

  /** A batch of messages. */
  @PostMapping(RaftHeaders.MESSAGES_PATH)
  public ResponseEntity<String> messages(@RequestHeader HttpHeaders headers, InputStream body) {
    return handle(headers, body, false);
  }

  /** One {@code MsgSnap}; may be large. */
  @PostMapping(RaftHeaders.SNAPSHOT_PATH)
  public ResponseEntity<String> snapshot(@RequestHeader HttpHeaders headers, InputStream body) {
    return handle(headers, body, true);
  }

  private ResponseEntity<String> handle(HttpHeaders headers, InputStream body, boolean snapshot) {
    try {
      long from = checkHeaders(headers);
      List<Message> messages = read(headers, body, snapshot);
      check(messages, from, snapshot);
      for (Message m : messages) {
        if (!receiver.receive(m)) {
          throw new Refusal(
              HttpStatus.SERVICE_UNAVAILABLE, "raft node " + id(receiver.nodeId()) + " is not running");
        }
      }
      return ResponseEntity.noContent().build();
    } catch (Refusal r) {
      logRefusal(headers, r);
      return ResponseEntity.status(r.status)
          .contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
          .body(r.getMessage() + "\n");
    }
  }

  /** Checks token, cluster, sender and recipient; returns the sender's id. */
  private long checkHeaders(HttpHeaders headers) {
    if (tokenDigest != null) {
      String token = headers.getFirst(RaftHeaders.TOKEN);
      if (token == null) {
        throw new Refusal(HttpStatus.UNAUTHORIZED, "missing " + RaftHeaders.TOKEN + " header");
      }
      if (!MessageDigest.isEqual(tokenDigest, sha256(token))) {
        throw new Refusal(HttpStatus.UNAUTHORIZED, "wrong " + RaftHeaders.TOKEN);
      }
    }
    String cluster = headers.getFirst(RaftHeaders.CLUSTER_ID);
    if (cluster == null || cluster.isEmpty()) {
      throw new Refusal(HttpStatus.BAD_REQUEST, "missing " + RaftHeaders.CLUSTER_ID + " header");
    }
    if (!cluster.equals(receiver.clusterId())) {
      throw new Refusal(
          HttpStatus.FORBIDDEN,
          "request is for cluster '" + abbreviate(cluster) + "', this node belongs to another one");
    }
    long from = parseId(headers, RaftHeaders.FROM);
    long to = parseId(headers, RaftHeaders.TO);
    long self = receiver.nodeId();
    if (to != self) {
      throw new Refusal(
          HttpStatus.BAD_REQUEST, "request is addressed to node " + id(to) + ", this is node " + id(self));
    }
    if (from == self) {
      // A node never sends to itself; a message that claims to would be stepped as the node's own
      // (an append response from itself can advance its own match past its log).
      throw new Refusal(HttpStatus.BAD_REQUEST, "request claims to come from this node " + id(self));
    }
    if (!receiver.isMember(from)) {
      throw new Refusal(HttpStatus.FORBIDDEN, "node " + id(from) + " is not a member of this cluster");
    }
    return from;
  }

  private List<Message> read(HttpHeaders headers, InputStream body, boolean snapshot) {
    long limit = snapshot ? settings.maxSnapshotSize() : settings.maxMessageSize();
    long declared = headers.getContentLength();
    if (declared > limit) {
      throw tooLarge(limit);
    }
    try {
      return MessageFraming.decode(body, limit);
    } catch (MessageFraming.TooLargeException e) {
      throw tooLarge(limit);
    } catch (IOException e) {
      throw new Refusal(
          HttpStatus.BAD_REQUEST,
          "body is not a sequence of length-delimited raftpb.Message: " + e.getMessage());
    }
  }

  private static Refusal tooLarge(long limit) {
    return new Refusal(HttpStatus.CONTENT_TOO_LARGE, "body is larger than " + limit + " bytes");
  }

  private void check(List<Message> messages, long from, boolean snapshot) {
    if (messages.isEmpty()) {
      throw new Refusal(HttpStatus.BAD_REQUEST, "body holds no message");
    }
    if (snapshot && (messages.size() != 1 || messages.get(0).getType() != MessageType.MsgSnap)) {
      throw new Refusal(
          HttpStatus.BAD_REQUEST, settings.snapshotPath() + " takes exactly one MsgSnap");
    }
    long self = receiver.nodeId();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      String which = "message " + i + " (" + m.getType() + ")";
      String violation = PeerMessageRules.violation(m);
      if (violation != null) {
        throw new Refusal(HttpStatus.BAD_REQUEST, which + " " + violation);
      }
      if (!snapshot && m.getType() == MessageType.MsgSnap) {
        throw new Refusal(HttpStatus.BAD_REQUEST, which + " must be sent to " + settings.snapshotPath());
      }
      if (m.getTo() != self) {
        throw new Refusal(
            HttpStatus.BAD_REQUEST, which + " is addressed to node " + id(m.getTo()) + ", this is node " + id(self));
      }
      if (m.getFrom() != from) {
        throw new Refusal(
            HttpStatus.FORBIDDEN,
            which + " claims to come from node " + id(m.getFrom()) + " but the request is from node " + id(from));
      }
    }
  }

  private static long parseId(HttpHeaders headers, String name) {
    String value = headers.getFirst(name);
    if (value == null || value.isEmpty()) {
      throw new Refusal(HttpStatus.BAD_REQUEST, "missing " + name + " header");
    }
    try {
      long id = Long.parseUnsignedLong(value.trim());
      if (id == 0) {
        throw new NumberFormatException("0 is not a node id");
      }
      return id;
    } catch (NumberFormatException e) {
      throw new Refusal(HttpStatus.BAD_REQUEST, name + " is not a node id: " + abbreviate(value));
    }
  }

  private void logRefusal(HttpHeaders headers, Refusal r) {
    String from = abbreviate(String.valueOf(headers.getFirst(RaftHeaders.FROM)));
    long now = System.nanoTime();
    long last = lastWarning.get();
    boolean warn =
        r.status != HttpStatus.SERVICE_UNAVAILABLE
            && now - last >= WARN_INTERVAL_NANOS
            && lastWarning.compareAndSet(last, now);
    if (warn) {
      // At most once a minute: a misconfigured peer retries many times a second.
      log.warn("refused raft peer request from node {}: {} {}", from, r.status.value(), r.getMessage());
    } else {
      log.debug("refused raft peer request from node {}: {} {}", from, r.status.value(), r.getMessage());
    }
  }

  private static String id(long id) {
    return Long.toUnsignedString(id);
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 40 ? clean : clean.substring(0, 40) + "...";
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** A refused request: its status and reason. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final HttpStatus status;

    Refusal(HttpStatus status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }
}
