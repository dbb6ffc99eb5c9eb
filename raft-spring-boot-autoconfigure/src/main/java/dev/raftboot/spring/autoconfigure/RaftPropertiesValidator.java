package dev.raftboot.spring.autoconfigure;

import dev.raftboot.ReadOnlyOption;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageProperties;
import dev.raftboot.spring.storage.FileLogStorage;
import dev.raftboot.spring.autoconfigure.transport.PeerAuthenticationPolicy;
import dev.raftboot.spring.autoconfigure.transport.RaftTransportProperties;
import dev.raftboot.spring.storage.JdbcUrls;
import dev.raftboot.spring.transport.HttpTransportSettings;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;

/**
 * The checks behind the {@code validate} method of every {@code raft.*} properties class, run by
 * Boot when the class is bound: each mistake is reported on its property, with a message that says
 * what to change. One class for all groups, so that the messages read alike and share their
 * helpers. Not API: the properties classes are.
 */
public final class RaftPropertiesValidator {

  private RaftPropertiesValidator() {}

  /** {@code raft.*}: nothing is checked when {@code raft.enabled=false}. */
  public static void validate(RaftProperties p, Errors errors) {
    if (!p.isEnabled()) {
      return;
    }
    node(p, errors);
    peers(p, errors);
    ticks(p, errors);
    sizes(p, errors);
  }

  private static void node(RaftProperties p, Errors errors) {
    if (p.getNodeId() <= 0) {
      errors.rejectValue(
          "nodeId",
          "raft.node-id.missing",
          "raft.node-id must be set to this node's ID, a positive number that is unique in the"
              + " cluster (for example raft.node-id=1)");
    }
    if (p.getClusterId() == null || p.getClusterId().isBlank()) {
      errors.rejectValue(
          "clusterId",
          "raft.cluster-id.blank",
          "raft.cluster-id must not be empty; give every node of the cluster the same name");
    } else if (!isHeaderValue(p.getClusterId())) {
      errors.rejectValue(
          "clusterId",
          "raft.cluster-id.characters",
          "raft.cluster-id must be printable ASCII without leading or trailing spaces, such as"
              + " orders-prod: every peer request carries it in an HTTP header");
    }
  }

  private static void peers(RaftProperties p, Errors errors) {
    Map<String, Long> byAddress = new HashMap<>();
    for (Map.Entry<Long, URI> peer : p.getPeers().entrySet()) {
      long id = peer.getKey();
      URI url = peer.getValue();
      if (id <= 0) {
        errors.rejectValue(
            "peers",
            "raft.peers.id",
            "raft.peers." + id + ": peer IDs must be positive numbers, as raft.node-id is");
      }
      if (url == null || !isHttpUrl(url)) {
        errors.rejectValue(
            "peers",
            "raft.peers.url",
            "raft.peers."
                + id
                + "="
                + url
                + " is not an http or https URL with a host; give the node's base URL, such as"
                + " http://10.0.0.1:8080");
        continue;
      }
      Long previous = byAddress.putIfAbsent(address(url), id);
      if (previous != null) {
        errors.rejectValue(
            "peers",
            "raft.peers.duplicate",
            "raft.peers."
                + previous
                + " and raft.peers."
                + id
                + " have the same address "
                + url
                + (url.equals(p.getPeers().get(previous))
                    ? ""
                    : " (written two ways: " + p.getPeers().get(previous) + " is the same; localhost,"
                        + " 127.0.0.1 and [::1] are one host)")
                + "; every node needs its own address");
      }
    }
    if (!p.isJoin() && p.getNodeId() > 0 && !p.getPeers().containsKey(p.getNodeId())) {
      errors.rejectValue(
          "peers",
          "raft.peers.self",
          "raft.peers must list this node (raft.peers."
              + p.getNodeId()
              + "=<this node's base URL>) together with the other members; or set raft.join=true"
              + " to start without a configuration and be added to a running cluster");
    }
  }

  private static void ticks(RaftProperties p, Errors errors) {
    positive(errors, "tickInterval", "raft.tick-interval", p.getTickInterval(), "100ms");
    positive(errors, "commandTimeout", "raft.command-timeout", p.getCommandTimeout(), "5s");
    if (p.getCommandFormatVersion() != 1 && p.getCommandFormatVersion() != 2) {
      errors.rejectValue(
          "commandFormatVersion",
          "raft.command-format-version.range",
          "raft.command-format-version must be 1 or 2 (the format of replicated calls in the"
              + " log), not " + p.getCommandFormatVersion());
    }
    if (p.getIdempotencyKeys() < 1 || p.getIdempotencyKeys() > RaftProperties.MAX_IDEMPOTENCY_KEYS) {
      errors.rejectValue(
          "idempotencyKeys",
          "raft.idempotency-keys.range",
          "raft.idempotency-keys must be 1 to " + RaftProperties.MAX_IDEMPOTENCY_KEYS
              + " (how many keys of retried commands the replicated state remembers), not "
              + p.getIdempotencyKeys());
    }
    if (p.getHeartbeatTick() <= 0) {
      errors.rejectValue(
          "heartbeatTick",
          "raft.heartbeat-tick.positive",
          "raft.heartbeat-tick must be at least 1 (the leader sends a heartbeat every that many"
              + " ticks)");
    }
    if (p.getReadOnly() == ReadOnlyOption.LEASE_BASED && !p.isCheckQuorum()) {
      errors.rejectValue(
          "readOnly",
          "raft.read-only.lease-needs-check-quorum",
          "raft.read-only=LEASE_BASED needs raft.check-quorum=true: without it a deposed leader"
              + " keeps answering reads from its lease and they can be stale. Set"
              + " raft.check-quorum=true, or raft.read-only=SAFE");
    }
    if (p.getElectionTick() <= p.getHeartbeatTick()) {
      errors.rejectValue(
          "electionTick",
          "raft.election-tick.too-small",
          "raft.election-tick ("
              + p.getElectionTick()
              + ") must be greater than raft.heartbeat-tick ("
              + p.getHeartbeatTick()
              + "), or followers would start elections between heartbeats; ten times"
              + " raft.heartbeat-tick is usual");
    }
  }

  private static void sizes(RaftProperties p, Errors errors) {
    positive(errors, "maxSizePerMsg", "raft.max-size-per-msg", p.getMaxSizePerMsg(), "1MB");
    positive(
        errors, "maxInflightBytes", "raft.max-inflight-bytes", p.getMaxInflightBytes(), "16MB");
    positive(
        errors,
        "maxUncommittedSize",
        "raft.max-uncommitted-size",
        p.getMaxUncommittedSize(),
        "64MB");
    positive(
        errors,
        "maxCommittedSizePerReady",
        "raft.max-committed-size-per-ready",
        p.getMaxCommittedSizePerReady(),
        "1MB");
    if (p.getMaxInflightMsgs() <= 0) {
      errors.rejectValue(
          "maxInflightMsgs",
          "raft.max-inflight-msgs.positive",
          "raft.max-inflight-msgs must be at least 1");
    }
    DataSize perMsg = p.getMaxSizePerMsg();
    DataSize inflight = p.getMaxInflightBytes();
    if (isPositive(perMsg) && isPositive(inflight) && inflight.compareTo(perMsg) < 0) {
      errors.rejectValue(
          "maxInflightBytes",
          "raft.max-inflight-bytes.too-small",
          "raft.max-inflight-bytes ("
              + inflight
              + ") must be at least raft.max-size-per-msg ("
              + perMsg
              + "), or a full append message could never be sent");
    }
  }

  /** {@code raft.storage.*}. */
  public static void validate(RaftStorageProperties storage, Errors errors) {
    if (storage.getTailCacheEntries() < 0) {
      errors.rejectValue(
          "tailCacheEntries",
          "raft.storage.tail-cache-entries.negative",
          "raft.storage.tail-cache-entries must not be negative (0 turns the cache off)");
    }
    positive(
        errors,
        "recoveryProbeInterval",
        "raft.storage.recovery-probe-interval",
        storage.getRecoveryProbeInterval(),
        "1s");
    positive(
        errors,
        "file.segmentSize",
        "raft.storage.file.segment-size",
        storage.getFile().getSegmentSize(),
        "32MB");
    DataSize segmentSize = storage.getFile().getSegmentSize();
    if (segmentSize != null && segmentSize.toBytes() > FileLogStorage.MAX_SEGMENT_SIZE) {
      errors.rejectValue(
          "file.segmentSize",
          "raft.storage.file.segment-size.too-large",
          "raft.storage.file.segment-size must be at most 1GB (a segment is read whole at start)");
    }
    String url = storage.getJdbc().getUrl();
    if (storage.getType() == RaftStorageProperties.Type.FILE) {
      if (url != null && !url.isBlank()) {
        errors.rejectValue(
            "jdbc.url",
            "raft.storage.jdbc.url.file-log",
            "raft.storage.jdbc.url is set, but raft.storage.type=file keeps the log in files, not in"
                + " a database; remove one of them");
      }
      if (Boolean.TRUE.equals(storage.getUseApplicationDatasource())) {
        errors.rejectValue(
            "useApplicationDatasource",
            "raft.storage.use-application-datasource.file-log",
            "raft.storage.use-application-datasource=true contradicts raft.storage.type=file,"
                + " which keeps the log in files; remove one of them");
      }
    }
    if (url != null && !url.isBlank()) {
      if (JdbcUrls.isInMemory(url) && !storage.isAllowInMemory()) {
        errors.rejectValue(
            "jdbc.url",
            "raft.storage.jdbc.url.in-memory",
            inMemoryMessage("raft.storage.jdbc.url=" + url));
      }
      if (Boolean.TRUE.equals(storage.getUseApplicationDatasource())) {
        errors.rejectValue(
            "useApplicationDatasource",
            "raft.storage.use-application-datasource.conflict",
            "raft.storage.use-application-datasource=true contradicts raft.storage.jdbc.url,"
                + " which gives raft a database of its own; remove one of them");
      }
    }
  }

  /** The message for an in-memory database chosen for the log without allow-in-memory. */
  private static String inMemoryMessage(String what) {
    return what
        + " is an in-memory database: the raft log would be lost at every restart, and a node that"
        + " forgets what it acknowledged breaks the safety of the whole cluster. Use a file or"
        + " server database, or set raft.storage.allow-in-memory=true in tests";
  }

  /** {@code raft.snapshot.*}. */
  public static void validate(RaftSnapshotProperties snapshot, Errors errors) {
    if (snapshot.getEntries() <= 0) {
      errors.rejectValue(
          "entries",
          "raft.snapshot.entries.positive",
          "raft.snapshot.entries must be at least 1 (applied entries between two snapshots)");
    }
    if (snapshot.getKeepEntries() < 0) {
      errors.rejectValue(
          "keepEntries",
          "raft.snapshot.keep-entries.negative",
          "raft.snapshot.keep-entries must not be negative");
    }
  }

  /**
   * {@code raft.transport.*}. That max-message-size is at least raft.max-size-per-msg is checked
   * when the transport is configured, with {@link #maxMessageSizeMessage}, as it spans two groups.
   */
  public static void validate(RaftTransportProperties t, Errors errors) {
    String prefix = t.getPathPrefix();
    if (prefix == null || !prefix.startsWith("/") || prefix.endsWith("/")) {
      errors.rejectValue(
          "pathPrefix",
          "raft.transport.path-prefix.invalid",
          "raft.transport.path-prefix must start with '/' and not end with one, such as /raft");
    }
    positive(
        errors,
        "connectTimeout",
        "raft.transport.connect-timeout",
        t.getConnectTimeout(),
        "1s");
    positive(
        errors,
        "requestTimeout",
        "raft.transport.request-timeout",
        t.getRequestTimeout(),
        "5s");
    positive(
        errors,
        "snapshotTimeout",
        "raft.transport.snapshot-timeout",
        t.getSnapshotTimeout(),
        "5m");
    if (!isPositive(t.getMaxSnapshotSize())) {
      errors.rejectValue(
          "maxSnapshotSize",
          "raft.transport.max-snapshot-size.positive",
          "raft.transport.max-snapshot-size must be a positive size, such as 1GB, larger than the"
              + " largest snapshot of the application's state");
    }
    token(t.getToken(), errors);
    Duration linger = t.getCommitLinger();
    if (linger == null || linger.isNegative() || linger.compareTo(HttpTransportSettings.MAX_COMMIT_LINGER) > 0) {
      errors.rejectValue(
          "commitLinger",
          "raft.transport.commit-linger.range",
          "raft.transport.commit-linger must be between 0 and 100ms, such as 2ms (0 sends commit-index"
              + " updates at once)");
    }
    if (t.getQueueSize() <= 0) {
      errors.rejectValue(
          "queueSize",
          "raft.transport.queue-size.positive",
          "raft.transport.queue-size must be at least 1");
    }
    positive(
        errors,
        "maxMessageSize",
        "raft.transport.max-message-size",
        t.getMaxMessageSize(),
        "8MB");
  }

  /** Why a max-message-size below max-size-per-msg is refused. */
  public static String maxMessageSizeMessage(DataSize maxMessageSize, DataSize maxSizePerMsg) {
    return "raft.transport.max-message-size ("
        + maxMessageSize
        + ") must be at least raft.max-size-per-msg ("
        + maxSizePerMsg
        + "), or peers would refuse full append messages";
  }

  /** The shortest secret accepted: shorter ones are guessable, or a placeholder left in. */
  static final int MIN_TOKEN_LENGTH = 16;

  private static void token(@Nullable String token, Errors errors) {
    if (token == null) {
      return;
    }
    int placeholder = token.indexOf("${");
    if (placeholder >= 0) {
      int end = token.indexOf('}', placeholder);
      String inner = end < 0 ? token.substring(placeholder + 2) : token.substring(placeholder + 2, end);
      String variable = inner.contains(":") ? inner.substring(0, inner.indexOf(':')) : inner;
      errors.rejectValue(
          "token",
          "raft.transport.token.unresolved",
          "raft.transport.token is the unresolved placeholder '${" + inner + "}': " + variable
              + " is not set. Set the environment variable or property " + variable
              + " to the cluster secret (the same on every node, at least " + MIN_TOKEN_LENGTH
              + " characters, e.g. from 'openssl rand -base64 32')");
      return;
    }
    if (token.isBlank() || token.length() < MIN_TOKEN_LENGTH || !token.strip().equals(token)) {
      errors.rejectValue(
          "token",
          "raft.transport.token.weak",
          "raft.transport.token must be at least " + MIN_TOKEN_LENGTH + " characters without leading or"
              + " trailing spaces (it has " + token.length() + "): use the same random secret on every"
              + " node, e.g. from 'openssl rand -base64 32'; remove the property to run without one on"
              + " loopback only");
    }
  }

  private static void positive(
      Errors errors, String field, String property, @Nullable Duration value, String example) {
    if (value == null || value.isZero() || value.isNegative()) {
      errors.rejectValue(
          field,
          property + ".positive",
          property + " must be a positive duration, such as " + example);
    }
  }

  /** A size that may be absent (unlimited), but if set must be positive. */
  private static void positive(
      Errors errors, String field, String property, @Nullable DataSize value, String example) {
    if (value != null && !isPositive(value)) {
      errors.rejectValue(
          field, property + ".positive", property + " must be a positive size, such as " + example);
    }
  }

  private static boolean isPositive(@Nullable DataSize size) {
    return size != null && size.toBytes() > 0;
  }

  /** Whether {@code s} survives an HTTP header unchanged: visible ASCII and inner spaces. */
  private static boolean isHeaderValue(String s) {
    if (s.isEmpty() || s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHttpUrl(URI url) {
    String scheme = url.getScheme();
    return url.isAbsolute()
        && url.getHost() != null
        && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme));
  }

  /** Scheme, host, port and path in a form where equal addresses compare equal. */
  private static String address(URI url) {
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    int port = url.getPort() != -1 ? url.getPort() : ("https".equals(scheme) ? 443 : 80);
    String path = url.getPath() == null ? "" : url.getPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String host = url.getHost().toLowerCase(Locale.ROOT);
    if (PeerAuthenticationPolicy.isLoopback(url)) {
      // localhost, 127.0.0.1 and ::1 are one address to a server listening on loopback.
      host = "loopback";
    }
    return scheme + "://" + host + ":" + port + path;
  }
}
