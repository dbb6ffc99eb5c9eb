package dev.raftboot.spring.autoconfigure.transport;

import dev.raftboot.spring.autoconfigure.RaftPropertiesValidator;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/** How nodes talk to each other over HTTP ({@code raft.transport.*}). */
@ConfigurationProperties("raft.transport")
public class RaftTransportProperties implements Validator {

  /** Path under which every node serves its raft endpoints. */
  private String pathPrefix = "/raft";

  /** Timeout for opening a connection to a peer, TLS handshake included. */
  private Duration connectTimeout = Duration.ofSeconds(3);

  /** Timeout for one request to a peer; snapshot transfers have no such limit. */
  private Duration requestTimeout = Duration.ofSeconds(5);

  /**
   * Maximum number of messages queued for one peer. When the queue is full, further messages are
   * dropped and the peer is reported unreachable; raft sends them again later.
   */
  private int queueSize = 1024;

  /**
   * Maximum size of one request body accepted from a peer, snapshots excepted. Must be at least
   * max-size-per-msg.
   */
  private DataSize maxMessageSize = DataSize.ofMegabytes(8);

  /**
   * Cluster secret, the same on every node, at least 16 characters: every request between peers
   * is signed with it (HMAC-SHA256), and a peer must prove it holds it before it is sent
   * anything. The secret itself never travels. Keep it out of the code, for example
   * raft.transport.token=${RAFT_TRANSPORT_TOKEN}.
   */
  private @Nullable String token;

  /**
   * Whether to run without peer authentication although peers are not on loopback: anyone who
   * can reach a node's port can then write to its log. For throw-away setups only; logs a
   * warning at every start.
   */
  private boolean insecure;

  /**
   * Name of the SSL bundle (spring.ssl.bundle.*) whose trust material verifies the peers'
   * certificates, and whose key material is presented when peers require client certificates.
   * Needed when peer URLs use https with certificates the JVM does not trust by default.
   */
  private @Nullable String sslBundle;

  /** Timeout for sending one snapshot to a peer. */
  private Duration snapshotTimeout = Duration.ofMinutes(5);

  /** Largest snapshot a node accepts from a peer. */
  private DataSize maxSnapshotSize = DataSize.ofGigabytes(1);

  /**
   * How long a leader's message that only tells a follower the new commit index (an append
   * without entries) may wait for the next message to that follower, so that both go in one
   * request and the follower answers once. Followers then apply up to this much later. 0 (the
   * default) sends such messages at once; at most 100ms. Measured to help the file log at low
   * concurrency, not the H2 log (see src-docs/performance.md).
   */
  private Duration commitLinger = Duration.ZERO;

  public Duration getCommitLinger() {
    return commitLinger;
  }

  public void setCommitLinger(Duration commitLinger) {
    this.commitLinger = commitLinger;
  }

  public @Nullable String getSslBundle() {
    return sslBundle;
  }

  public void setSslBundle(@Nullable String sslBundle) {
    this.sslBundle = sslBundle;
  }

  public Duration getSnapshotTimeout() {
    return snapshotTimeout;
  }

  public void setSnapshotTimeout(Duration snapshotTimeout) {
    this.snapshotTimeout = snapshotTimeout;
  }

  public DataSize getMaxSnapshotSize() {
    return maxSnapshotSize;
  }

  public void setMaxSnapshotSize(DataSize maxSnapshotSize) {
    this.maxSnapshotSize = maxSnapshotSize;
  }

  public String getPathPrefix() {
    return pathPrefix;
  }

  public void setPathPrefix(String pathPrefix) {
    this.pathPrefix = pathPrefix;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public void setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
  }

  public int getQueueSize() {
    return queueSize;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  public DataSize getMaxMessageSize() {
    return maxMessageSize;
  }

  public void setMaxMessageSize(DataSize maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  public @Nullable String getToken() {
    return token;
  }

  public boolean isInsecure() {
    return insecure;
  }

  public void setInsecure(boolean insecure) {
    this.insecure = insecure;
  }

  public void setToken(@Nullable String token) {
    this.token = token;
  }

  @Override
  public boolean supports(Class<?> type) {
    return RaftTransportProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    RaftPropertiesValidator.validate((RaftTransportProperties) target, errors);
  }
}
