package dev.raftboot.spring.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RaftServer} does after a storage write failed (disk full, I/O error, any failure
 * of a save, snapshot or compaction) or one of its threads met an unexpected error. In every case the node first stops taking part (no messages,
 * votes or acknowledgements), refuses commands and reads of every consistency with a {@link
 * dev.raftboot.spring.api.NodeStoppedException} naming the failure, fails the commands waiting on
 * it (not applied only when they never left this node, else outcome unknown) and reports the
 * failure in its health. Then:
 */
public sealed interface StorageFailurePolicy {

  /** Stays down until the application is restarted; for an operator who wants to look first. */
  record StayDown() implements StorageFailurePolicy {}

  /**
   * Stops the application, so that its supervisor (systemd, Kubernetes) restarts it and the node
   * starts again from what storage durably holds.
   *
   * @param stop called once, on a thread of its own, after the node stopped taking part; it may
   *     close the application context (which stops this server)
   */
  record StopApplication(Runnable stop) implements StorageFailurePolicy {
    public StopApplication {
      Objects.requireNonNull(stop, "stop");
    }
  }

  /**
   * Keeps the application running and rebuilds the node in place once storage works again: every
   * {@code probeInterval} it tries a synced write that changes nothing raft reads (the stored hard
   * state, saved again); once one succeeds, it builds a new raft node from what storage durably
   * holds, as at start, and rejoins as a follower, catching up from the leader. The application's
   * state stays in memory when the stored log continues from it, else it is restored from the stored
   * snapshot (see {@code src-docs/storage-durability.md}). After an unexpected error of the apply
   * thread, whose state may be half-changed, the node stays down instead.
   *
   * @param probeInterval how long to wait before each probe; positive
   */
  record RestartNode(Duration probeInterval) implements StorageFailurePolicy {
    public RestartNode {
      Objects.requireNonNull(probeInterval, "probeInterval");
      if (probeInterval.isNegative() || probeInterval.isZero()) {
        throw new IllegalArgumentException("probeInterval must be positive: " + probeInterval);
      }
    }
  }
}
