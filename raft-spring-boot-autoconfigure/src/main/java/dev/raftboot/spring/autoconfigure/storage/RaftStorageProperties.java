package dev.raftboot.spring.autoconfigure.storage;

import dev.raftboot.spring.autoconfigure.RaftPropertiesValidator;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Where and how the raft log, hard state and snapshots are stored ({@code raft.storage.*}).
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
@ConfigurationProperties("raft.storage")
public class RaftStorageProperties implements Validator {

  /**
   * How the raft log is kept: jdbc, in a database chosen as described above; or file, in
   * append-only segment files of raft's own in data-dir (no database needed). A node keeps the type
   * its log was written with: raft refuses to start on a data-dir that holds a log of the other
   * type.
   */
  private Type type = Type.JDBC;

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

  /**
   * What the application does once a storage write failed (disk full, I/O error) or a thread of
   * the node met an unexpected error, after the node stopped taking part and refuses every command
   * and read: stop the application with exit code 74, so that its supervisor restarts it from what
   * was stored; rebuild the node in place once storage writes succeed again; or stay down until
   * restarted by hand.
   */
  private OnFailure onFailure = OnFailure.STOP_APPLICATION;

  /** With {@code on-failure=restart-node}: how often the failed node tries a storage write. */
  private Duration recoveryProbeInterval = Duration.ofSeconds(1);

  private final Jdbc jdbc = new Jdbc();

  private final File file = new File();

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public File getFile() {
    return file;
  }

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

  public OnFailure getOnFailure() {
    return onFailure;
  }

  public void setOnFailure(OnFailure onFailure) {
    this.onFailure = onFailure;
  }

  public Duration getRecoveryProbeInterval() {
    return recoveryProbeInterval;
  }

  public void setRecoveryProbeInterval(Duration recoveryProbeInterval) {
    this.recoveryProbeInterval = recoveryProbeInterval;
  }

  public Jdbc getJdbc() {
    return jdbc;
  }

  @Override
  public boolean supports(Class<?> type) {
    return RaftStorageProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    RaftPropertiesValidator.validate((RaftStorageProperties) target, errors);
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

  /** How the raft log is kept. */
  public enum Type {
    /** In a database through JDBC. */
    JDBC,
    /** In append-only files in data-dir. */
    FILE
  }

  /** The file log ({@code raft.storage.type=file}). */
  public static class File {

    /**
     * Size beyond which the next write starts a new segment file. Every segment starts with a copy
     * of the live log (the entries since the last compaction), so it should be well above that.
     */
    private DataSize segmentSize = DataSize.ofMegabytes(32);

    public DataSize getSegmentSize() {
      return segmentSize;
    }

    public void setSegmentSize(DataSize segmentSize) {
      this.segmentSize = segmentSize;
    }
  }

  /** What the application does after a storage write failed. */
  public enum OnFailure {

    /** Close the application context and exit the JVM with code 74 (EX_IOERR). */
    STOP_APPLICATION,

    /**
     * Keep the application running; the node probes its storage every {@code
     * recovery-probe-interval} and rebuilds itself from what was stored once a write succeeds.
     */
    RESTART_NODE,

    /** Keep the application running with the node down (health DOWN) until it is restarted. */
    STAY_DOWN
  }
}
