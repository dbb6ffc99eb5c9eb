package dev.raftboot.spring.runtime;

import dev.raftboot.Config;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * What a {@link RaftServer} needs beyond its collaborators.
 *
 * @param nodeId this node's id
 * @param clusterId the id every peer request must carry
 * @param peers the initial members (including this node) and their base URLs; used to bootstrap a
 *     new cluster and as the address book until the log says otherwise
 * @param join start with no configuration and wait to be added by the cluster
 * @param tickInterval wall-clock length of one Raft tick
 * @param raft the Raft parameters (election and heartbeat ticks, pre-vote, limits); id, storage,
 *     applied index and logger are filled in by the server
 * @param commandTimeout how long a command or read may take before it fails
 * @param snapshotEntries take a snapshot after this many applied entries (0: never)
 * @param snapshotKeepEntries entries kept in the log behind a snapshot, for slow followers
 * @param idempotencyKeys how many idempotency keys the replicated state remembers; written into
 *     each keyed command this node proposes (see {@link dev.raftboot.spring.api.IdempotencyKey})
 */
public record RaftServerSettings(
    long nodeId,
    String clusterId,
    Map<Long, URI> peers,
    boolean join,
    Duration tickInterval,
    Config raft,
    Duration commandTimeout,
    long snapshotEntries,
    long snapshotKeepEntries,
    int idempotencyKeys) {

  /** The default of {@code raft.idempotency-keys}. */
  public static final int DEFAULT_IDEMPOTENCY_KEYS = 10_000;

  public RaftServerSettings {
    if (idempotencyKeys < 1) {
      throw new IllegalArgumentException("idempotencyKeys must be at least 1, not " + idempotencyKeys);
    }
  }

  /** Settings that remember the default number of idempotency keys. */
  public RaftServerSettings(
      long nodeId,
      String clusterId,
      Map<Long, URI> peers,
      boolean join,
      Duration tickInterval,
      Config raft,
      Duration commandTimeout,
      long snapshotEntries,
      long snapshotKeepEntries) {
    this(
        nodeId,
        clusterId,
        peers,
        join,
        tickInterval,
        raft,
        commandTimeout,
        snapshotEntries,
        snapshotKeepEntries,
        DEFAULT_IDEMPOTENCY_KEYS);
  }
}
