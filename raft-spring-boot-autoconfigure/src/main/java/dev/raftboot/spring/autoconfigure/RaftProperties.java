package dev.raftboot.spring.autoconfigure;

import dev.raftboot.ReadOnlyOption;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of a raft node ({@code raft.*}). The properties are checked when they are bound; a
 * mistake stops the application with a message that names the property and how to fix it.
 *
 * <h2>Where the log is stored</h2>
 *
 * <p>The raft log needs a database that survives restarts. The first rule that applies decides:
 *
 * <ol>
 *   <li>{@code raft.storage.jdbc.url} is set: raft opens its own connection pool to that URL.
 *   <li>A {@code DataSource} bean is qualified with {@code @RaftDataSource}: raft uses it.
 *   <li>The application has a {@code DataSource} (for example PostgreSQL) that is not an in-memory
 *       database, and {@code raft.storage.use-application-datasource} is not {@code false}: raft
 *       keeps its tables there, next to the application's own.
 *   <li>Otherwise raft opens its own embedded H2 file database in {@code raft.storage.data-dir}.
 *       This is also what happens when the application's DataSource is the in-memory H2 database
 *       Spring Boot creates when H2 is on the class path and no URL is configured: that database
 *       must not silently become the raft log.
 * </ol>
 *
 * <p>An in-memory database (H2 {@code mem:}, HSQLDB {@code mem:}, Derby {@code memory:}) is only
 * accepted for the log with {@code raft.storage.allow-in-memory=true}, for tests.
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
   * How many idempotency keys of commands (IdempotencyKey) the replicated state remembers, oldest
   * forgotten first: a retry with a remembered key is not applied again. Carried in each keyed
   * command, so nodes never disagree; set the same value on every node.
   */
  private int idempotencyKeys = 10000;

  private final Storage storage = new Storage();

  private final Snapshot snapshot = new Snapshot();

  private final Transport transport = new Transport();

  private final Management management = new Management();

  private final Web web = new Web();

  private final Health health = new Health();

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

  public Storage getStorage() {
    return storage;
  }

  public Snapshot getSnapshot() {
    return snapshot;
  }

  public Transport getTransport() {
    return transport;
  }

  public Web getWeb() {
    return web;
  }

  public Health getHealth() {
    return health;
  }

  @Override
  public boolean supports(Class<?> type) {
    return RaftProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    RaftPropertiesValidator.validate((RaftProperties) target, errors);
  }

  /** Where and how the raft log, hard state and snapshots are stored. */
  public static class Storage {

    /**
     * Directory for raft's own files, such as its embedded H2 database. Defaults to
     * ./data/raft-<node-id>.
     */
    private @Nullable Path dataDir;

    /**
     * Whether to keep the raft tables in the application's DataSource. When not set, it is used if
     * it is not an in-memory database. When true, it is always used (an in-memory one only with
     * allow-in-memory); when false, raft gets its own database.
     */
    private @Nullable Boolean useApplicationDatasource;

    /**
     * Whether the log may be kept in an in-memory database, where it does not survive a restart.
     * For tests only: a node that forgets its log can break the safety of the whole cluster.
     */
    private boolean allowInMemory;

    /**
     * Number of the newest log entries kept in memory, so that raft reads recent entries without
     * SQL. 0 turns the cache off.
     */
    private int tailCacheEntries = JdbcStorage.DEFAULT_TAIL_CACHE_ENTRIES;

    private final Jdbc jdbc = new Jdbc();

    public @Nullable Path getDataDir() {
      return dataDir;
    }

    public void setDataDir(@Nullable Path dataDir) {
      this.dataDir = dataDir;
    }

    public @Nullable Boolean getUseApplicationDatasource() {
      return useApplicationDatasource;
    }

    public void setUseApplicationDatasource(@Nullable Boolean useApplicationDatasource) {
      this.useApplicationDatasource = useApplicationDatasource;
    }

    public boolean isAllowInMemory() {
      return allowInMemory;
    }

    public void setAllowInMemory(boolean allowInMemory) {
      this.allowInMemory = allowInMemory;
    }

    public int getTailCacheEntries() {
      return tailCacheEntries;
    }

    public void setTailCacheEntries(int tailCacheEntries) {
      this.tailCacheEntries = tailCacheEntries;
    }

    public Jdbc getJdbc() {
      return jdbc;
    }
  }

  /** Raft's own database for the log, and how its tables are created. */
  public static class Jdbc {

    /**
     * JDBC URL of a database of raft's own for the log, which takes precedence over the
     * application's DataSource. When not set, an H2 file database in data-dir is used unless the
     * application's DataSource qualifies.
     */
    private @Nullable String url;

    /** Login username of raft's own database. */
    private @Nullable String username;

    /** Login password of raft's own database. */
    private @Nullable String password;

    /**
     * Database schema initialization mode for the raft tables. The scripts only create tables that
     * are missing, so running them at every start is safe.
     */
    private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.ALWAYS;

    /** Path to the SQL file that creates the raft tables. */
    private String schema = JdbcStorageSchema.SCHEMA_LOCATION;

    /**
     * Platform to use in the schema script if the @@platform@@ placeholder is used (h2, postgresql
     * or mariadb). Auto-detected by default.
     */
    private @Nullable String platform;

    /**
     * Whether to refuse to start when the database acknowledges commits before they are on disk
     * (PostgreSQL with fsync=off, InnoDB with innodb_flush_log_at_trx_commit other than 1). When
     * false this is only logged as a warning.
     */
    private boolean requireSync = true;

    /**
     * Cluster ID that the log of this node in the tables of raftboot 0.1 (raft_log,
     * raft_hard_state, raft_snapshot, which had no cluster ID) belongs to. When it equals
     * raft.cluster-id, that log is moved into the current tables at startup; an old log of this
     * node is refused otherwise, so that no node takes another cluster's log for its own.
     */
    private @Nullable String legacyLogClusterId;

    public @Nullable String getUrl() {
      return url;
    }

    public void setUrl(@Nullable String url) {
      this.url = url;
    }

    public @Nullable String getUsername() {
      return username;
    }

    public void setUsername(@Nullable String username) {
      this.username = username;
    }

    public @Nullable String getPassword() {
      return password;
    }

    public void setPassword(@Nullable String password) {
      this.password = password;
    }

    public DatabaseInitializationMode getInitializeSchema() {
      return initializeSchema;
    }

    public void setInitializeSchema(DatabaseInitializationMode initializeSchema) {
      this.initializeSchema = initializeSchema;
    }

    public String getSchema() {
      return schema;
    }

    public void setSchema(String schema) {
      this.schema = schema;
    }

    public @Nullable String getPlatform() {
      return platform;
    }

    public void setPlatform(@Nullable String platform) {
      this.platform = platform;
    }

    public boolean isRequireSync() {
      return requireSync;
    }

    public void setRequireSync(boolean requireSync) {
      this.requireSync = requireSync;
    }

    public @Nullable String getLegacyLogClusterId() {
      return legacyLogClusterId;
    }

    public void setLegacyLogClusterId(@Nullable String legacyLogClusterId) {
      this.legacyLogClusterId = legacyLogClusterId;
    }
  }

  /** When snapshots are taken and how much log is kept behind them. */
  public static class Snapshot {

    /**
     * Number of entries applied since the last snapshot after which the node snapshots the
     * application state and compacts its log.
     */
    private long entries = 10_000;

    /**
     * Number of entries kept in the log below a new snapshot, so that followers that lag a little
     * catch up from the log instead of receiving the whole snapshot.
     */
    private long keepEntries = 5_000;

    public long getEntries() {
      return entries;
    }

    public void setEntries(long entries) {
      this.entries = entries;
    }

    public long getKeepEntries() {
      return keepEntries;
    }

    public void setKeepEntries(long keepEntries) {
      this.keepEntries = keepEntries;
    }
  }

  /** How nodes talk to each other over HTTP. */
  public static class Transport {

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
  }

  public Management getManagement() {
    return management;
  }

  /** Settings of the raft actuator endpoint. */
  public static class Management {

    /**
     * Role a caller needs for the raft endpoint's write operations (membership, leadership,
     * snapshot) when Spring Security's web filter chain is configured, without the ROLE_ prefix.
     * The operations themselves are off until management.endpoint.raft.access=unrestricted.
     */
    private String adminRole = "RAFT_ADMIN";

    public String getAdminRole() {
      return adminRole;
    }

    public void setAdminRole(String adminRole) {
      this.adminRole = adminRole;
    }
  }

  /** How replication failures reach the application's HTTP callers. */
  public static class Web {

    /**
     * Whether to answer the replication failures (NotAppliedException other than
     * InvalidCommandException, and OutcomeUnknownException) thrown by the application's Spring MVC
     * controllers as problem details (503 "not applied" or "not read" with Retry-After, 504
     * "outcome unknown").
     */
    private boolean problemDetails = true;

    public boolean isProblemDetails() {
      return problemDetails;
    }

    public void setProblemDetails(boolean problemDetails) {
      this.problemDetails = problemDetails;
    }
  }

  /** How the raft health takes part in the application's health groups. */
  public static class Health {

    /**
     * Whether to add the raft health to the readiness group (/actuator/health/readiness), so that
     * a node that knows no leader, or is not a member, is reported as not ready.
     */
    private boolean readiness;

    public boolean isReadiness() {
      return readiness;
    }

    public void setReadiness(boolean readiness) {
      this.readiness = readiness;
    }
  }
}
