package dev.raftboot.spring.autoconfigure;

import dev.raftboot.ReadOnlyOption;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of a raft node ({@code raft.*}): its identity, its peers and the raft algorithm's
 * settings. The other concerns have their own properties beside their auto-configurations: {@code
 * raft.storage.*} ({@link dev.raftboot.spring.autoconfigure.storage.RaftStorageProperties}), {@code
 * raft.transport.*} ({@link dev.raftboot.spring.autoconfigure.transport.RaftTransportProperties}),
 * {@code raft.snapshot.*} ({@link RaftSnapshotProperties}), {@code raft.management.*}, {@code
 * raft.web.*} and {@code raft.health.*}. The properties are checked when they are bound; a mistake
 * stops the application with a message that names the property and how to fix it.
 */
@ConfigurationProperties("raft")
public class RaftProperties implements Validator {

  /** The most idempotency keys that may be remembered: each costs memory on every node. */
  static final int MAX_IDEMPOTENCY_KEYS = 1_000_000;

  /** Whether to run a raft node in this application. */
  private boolean enabled = true;

  /**
   * ID of this node: a positive number that is unique in the cluster and never reused for another
   * node.
   */
  private long nodeId;

  /**
   * Name of the cluster, the same on every node. Peers refuse messages that carry another cluster's
   * name, so members of two clusters cannot be mixed up.
   */
  private String clusterId = "raft";

  /**
   * Base URL of every member's raft endpoint, keyed by node ID, for example
   * raft.peers.1=http://10.0.0.1:8080. Lists this node too, unless it joins a running cluster.
   */
  private Map<Long, URI> peers = new LinkedHashMap<>();

  /**
   * Whether this node starts with an empty configuration and waits to be added to a running
   * cluster, instead of forming the cluster from the peers listed.
   */
  private boolean join;

  /** Duration of one raft tick; election and heartbeat timeouts are counted in ticks. */
  private Duration tickInterval = Duration.ofMillis(100);

  /**
   * Number of ticks a follower waits for the leader before it starts an election. Must be greater
   * than heartbeat-tick; ten times it is usual.
   */
  private int electionTick = 10;

  /** Number of ticks between two heartbeats of the leader. */
  private int heartbeatTick = 1;

  /**
   * Whether a node first asks, in a pre-vote round, whether it could win before it starts an
   * election, so that a node coming back from a partition does not depose a working leader.
   */
  private boolean preVote = true;

  /**
   * Whether the leader steps down when it has not heard from a quorum during an election timeout.
   */
  private boolean checkQuorum = true;

  /**
   * How linearizable reads are confirmed: SAFE asks a quorum for every read index; LEASE_BASED
   * trusts the leader's lease, which needs check-quorum and clocks that drift much less than the
   * election timeout.
   */
  private ReadOnlyOption readOnly = ReadOnlyOption.SAFE;

  /** Maximum size of the entries in one append message to a follower. */
  private DataSize maxSizePerMsg = DataSize.ofMegabytes(1);

  /** Maximum number of append messages in flight to one follower. */
  private int maxInflightMsgs = 256;

  /**
   * Maximum total size of the append messages in flight to one follower. Unlimited when not set;
   * must be at least max-size-per-msg.
   */
  private @Nullable DataSize maxInflightBytes;

  /**
   * Maximum total size of the leader's uncommitted entries; proposals beyond it are refused until
   * entries commit. Unlimited when not set.
   */
  private @Nullable DataSize maxUncommittedSize;

  /**
   * Maximum size of the committed entries handed to the application at once. Same as
   * max-size-per-msg when not set.
   */
  private @Nullable DataSize maxCommittedSizePerReady;

  /**
   * How long a replicated command may take to be committed and applied before its caller gets a
   * timeout.
   */
  private Duration commandTimeout = Duration.ofSeconds(5);

  /**
   * The format in which this node writes replicated method calls to the log: 2 (compact, with a
   * checksum) or 1 (what versions before format 2 write). Every node reads both; nodes of an older
   * version read only 1, so keep 1 until every node of the cluster has been upgraded.
   */
  private int commandFormatVersion = 2;

  /**
   * How many idempotency keys of commands (IdempotencyKey) the replicated state remembers, oldest
   * forgotten first: a retry with a remembered key is not applied again. Carried in each keyed
   * command, so nodes never disagree; set the same value on every node.
   */
  private int idempotencyKeys = 10000;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public long getNodeId() {
    return nodeId;
  }

  public void setNodeId(long nodeId) {
    this.nodeId = nodeId;
  }

  public String getClusterId() {
    return clusterId;
  }

  public void setClusterId(String clusterId) {
    this.clusterId = clusterId;
  }

  public Map<Long, URI> getPeers() {
    return peers;
  }

  public void setPeers(Map<Long, URI> peers) {
    this.peers = peers;
  }

  public boolean isJoin() {
    return join;
  }

  public void setJoin(boolean join) {
    this.join = join;
  }

  public Duration getTickInterval() {
    return tickInterval;
  }

  public void setTickInterval(Duration tickInterval) {
    this.tickInterval = tickInterval;
  }

  public int getElectionTick() {
    return electionTick;
  }

  public void setElectionTick(int electionTick) {
    this.electionTick = electionTick;
  }

  public int getHeartbeatTick() {
    return heartbeatTick;
  }

  public void setHeartbeatTick(int heartbeatTick) {
    this.heartbeatTick = heartbeatTick;
  }

  public boolean isPreVote() {
    return preVote;
  }

  public void setPreVote(boolean preVote) {
    this.preVote = preVote;
  }

  public boolean isCheckQuorum() {
    return checkQuorum;
  }

  public void setCheckQuorum(boolean checkQuorum) {
    this.checkQuorum = checkQuorum;
  }

  public ReadOnlyOption getReadOnly() {
    return readOnly;
  }

  public void setReadOnly(ReadOnlyOption readOnly) {
    this.readOnly = readOnly;
  }

  public DataSize getMaxSizePerMsg() {
    return maxSizePerMsg;
  }

  public void setMaxSizePerMsg(DataSize maxSizePerMsg) {
    this.maxSizePerMsg = maxSizePerMsg;
  }

  public int getMaxInflightMsgs() {
    return maxInflightMsgs;
  }

  public void setMaxInflightMsgs(int maxInflightMsgs) {
    this.maxInflightMsgs = maxInflightMsgs;
  }

  public @Nullable DataSize getMaxInflightBytes() {
    return maxInflightBytes;
  }

  public void setMaxInflightBytes(@Nullable DataSize maxInflightBytes) {
    this.maxInflightBytes = maxInflightBytes;
  }

  public @Nullable DataSize getMaxUncommittedSize() {
    return maxUncommittedSize;
  }

  public void setMaxUncommittedSize(@Nullable DataSize maxUncommittedSize) {
    this.maxUncommittedSize = maxUncommittedSize;
  }

  public @Nullable DataSize getMaxCommittedSizePerReady() {
    return maxCommittedSizePerReady;
  }

  public void setMaxCommittedSizePerReady(@Nullable DataSize maxCommittedSizePerReady) {
    this.maxCommittedSizePerReady = maxCommittedSizePerReady;
  }

  public int getCommandFormatVersion() {
    return commandFormatVersion;
  }

  public void setCommandFormatVersion(int commandFormatVersion) {
    this.commandFormatVersion = commandFormatVersion;
  }

  public Duration getCommandTimeout() {
    return commandTimeout;
  }

  public void setCommandTimeout(Duration commandTimeout) {
    this.commandTimeout = commandTimeout;
  }

  public int getIdempotencyKeys() {
    return idempotencyKeys;
  }

  public void setIdempotencyKeys(int idempotencyKeys) {
    this.idempotencyKeys = idempotencyKeys;
  }

  @Override
  public boolean supports(Class<?> type) {
    return RaftProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    RaftPropertiesValidator.validate((RaftProperties) target, errors);
  }
}
