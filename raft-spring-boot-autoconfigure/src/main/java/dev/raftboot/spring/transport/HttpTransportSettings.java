package dev.raftboot.spring.transport;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the HTTP transport, shared by the sending side ({@link HttpRaftTransport}) and the
 * receiving side ({@link RaftPeerServlet}); every node of a cluster should use the same values.
 *
 * @param pathPrefix path under which the peer endpoints live ({@code <prefix>/messages} and {@code
 *     <prefix>/snapshot}), after the peer's base URL; normalized to start with and not end with a
 *     slash. The starter maps the servlet under the same value of {@code raft.transport.path-prefix}.
 * @param connectTimeout how long opening a connection to a peer may take; for {@code https} peers
 *     the JDK client counts the TLS handshake in, which can take a while on a busy machine
 * @param requestTimeout how long one batch request may take, from sending to the response
 * @param queueSize messages queued per peer while a request is in flight; more are dropped and
 *     reported as unreachable
 * @param maxMessageSize largest request body on the messages path, in bytes: the sender splits
 *     batches to stay under it and the receiver refuses larger bodies with 413. Must be larger than
 *     raft's largest append message ({@code max-size-per-msg} plus its framing).
 * @param token the cluster secret every peer request is signed with ({@link PeerAuthenticator}),
 *     never sent itself; or null for none
 * @param snapshotTimeout how long sending one snapshot may take
 * @param maxSnapshotSize largest request body on the snapshot path, in bytes
 * @param commitLinger how long a batch of only commit-index updates (appends without entries)
 *     may wait for the next message to the same peer, so both share one request; zero sends at once
 */
public record HttpTransportSettings(
    String pathPrefix,
    Duration connectTimeout,
    Duration requestTimeout,
    int queueSize,
    long maxMessageSize,
    @Nullable String token,
    Duration snapshotTimeout,
    long maxSnapshotSize,
    Duration commitLinger) {

  public static final String DEFAULT_PATH_PREFIX = "/raft";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_QUEUE_SIZE = 4096;
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 16L * 1024 * 1024;
  public static final Duration DEFAULT_SNAPSHOT_TIMEOUT = Duration.ofMinutes(5);
  public static final long DEFAULT_MAX_SNAPSHOT_SIZE = 1024L * 1024 * 1024;
  public static final Duration DEFAULT_COMMIT_LINGER = Duration.ZERO;
  /** A follower learns the commit index this much later at most; heartbeats carry it too. */
  public static final Duration MAX_COMMIT_LINGER = Duration.ofMillis(100);

  public HttpTransportSettings {
    pathPrefix = normalizePrefix(pathPrefix);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(snapshotTimeout, "snapshotTimeout");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(requestTimeout, "requestTimeout");
    requirePositive(snapshotTimeout, "snapshotTimeout");
    Objects.requireNonNull(commitLinger, "commitLinger");
    if (commitLinger.isNegative() || commitLinger.compareTo(MAX_COMMIT_LINGER) > 0) {
      throw new IllegalArgumentException(
          "commitLinger must be between 0 and " + MAX_COMMIT_LINGER.toMillis() + " ms, was " + commitLinger);
    }
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be at least 1, was " + queueSize);
    }
    // Bodies are read into protobuf byte strings, which are limited to 2 GiB.
    if (maxMessageSize < 64 || maxMessageSize > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("maxMessageSize out of range: " + maxMessageSize);
    }
    if (maxSnapshotSize < 64 || maxSnapshotSize > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("maxSnapshotSize out of range: " + maxSnapshotSize);
    }
    if (token != null && token.isEmpty()) {
      token = null;
    }
  }

  /**
   * The defaults: prefix {@code /raft}, 3 s connect, 5 s request, 4096 queued, 16 MiB, no token,
   * commit-index updates sent at once.
   */
  public static HttpTransportSettings defaults() {
    return new HttpTransportSettings(
        DEFAULT_PATH_PREFIX,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_QUEUE_SIZE,
        DEFAULT_MAX_MESSAGE_SIZE,
        null,
        DEFAULT_SNAPSHOT_TIMEOUT,
        DEFAULT_MAX_SNAPSHOT_SIZE,
        DEFAULT_COMMIT_LINGER);
  }

  public HttpTransportSettings withPathPrefix(String prefix) {
    return new HttpTransportSettings(
        prefix, connectTimeout, requestTimeout, queueSize, maxMessageSize, token, snapshotTimeout,
        maxSnapshotSize, commitLinger);
  }

  public HttpTransportSettings withConnectTimeout(Duration timeout) {
    return new HttpTransportSettings(
        pathPrefix, timeout, requestTimeout, queueSize, maxMessageSize, token, snapshotTimeout,
        maxSnapshotSize, commitLinger);
  }

  public HttpTransportSettings withRequestTimeout(Duration timeout) {
    return new HttpTransportSettings(
        pathPrefix, connectTimeout, timeout, queueSize, maxMessageSize, token, snapshotTimeout,
        maxSnapshotSize, commitLinger);
  }

  public HttpTransportSettings withQueueSize(int size) {
    return new HttpTransportSettings(
        pathPrefix, connectTimeout, requestTimeout, size, maxMessageSize, token, snapshotTimeout,
        maxSnapshotSize, commitLinger);
  }

  public HttpTransportSettings withMaxMessageSize(long bytes) {
    return new HttpTransportSettings(
        pathPrefix, connectTimeout, requestTimeout, queueSize, bytes, token, snapshotTimeout,
        maxSnapshotSize, commitLinger);
  }

  public HttpTransportSettings withToken(@Nullable String secret) {
    return new HttpTransportSettings(
        pathPrefix, connectTimeout, requestTimeout, queueSize, maxMessageSize, secret,
        snapshotTimeout, maxSnapshotSize, commitLinger);
  }

  public HttpTransportSettings withMaxSnapshotSize(long bytes) {
    return new HttpTransportSettings(
        pathPrefix, connectTimeout, requestTimeout, queueSize, maxMessageSize, token,
        snapshotTimeout, bytes, commitLinger);
  }

  public HttpTransportSettings withCommitLinger(Duration linger) {
    return new HttpTransportSettings(
        pathPrefix, connectTimeout, requestTimeout, queueSize, maxMessageSize, token,
        snapshotTimeout, maxSnapshotSize, linger);
  }

  /** Path of the batch endpoint, e.g. {@code /raft/messages}. */
  public String messagesPath() {
    return pathPrefix + RaftHeaders.MESSAGES_PATH;
  }

  /** Path of the identity endpoint, e.g. {@code /raft/identity}. */
  public String identityPath() {
    return pathPrefix + RaftHeaders.IDENTITY_PATH;
  }

  /** Path of the snapshot endpoint, e.g. {@code /raft/snapshot}. */
  public String snapshotPath() {
    return pathPrefix + RaftHeaders.SNAPSHOT_PATH;
  }

  @Override
  public String toString() {
    // Never print the token.
    return "HttpTransportSettings[pathPrefix=" + pathPrefix
        + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout
        + ", queueSize=" + queueSize
        + ", maxMessageSize=" + maxMessageSize
        + ", token=" + (token == null ? "none" : "***")
        + ", snapshotTimeout=" + snapshotTimeout
        + ", maxSnapshotSize=" + maxSnapshotSize
        + ", commitLinger=" + commitLinger + "]";
  }

  static String normalizePrefix(@Nullable String prefix) {
    if (prefix == null || prefix.isBlank()) {
      return "";
    }
    String p = prefix.trim();
    if (!p.startsWith("/")) {
      p = "/" + p;
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private static void requirePositive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }
}
