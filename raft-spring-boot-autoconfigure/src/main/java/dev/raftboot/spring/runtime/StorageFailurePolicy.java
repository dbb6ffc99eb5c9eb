package dev.raftboot.spring.runtime;

import java.util.Objects;

/**
 * What a {@link RaftServer} does after a storage write failed (disk full, I/O error, any failure
 * of a save, snapshot or compaction). In every case the node first stops taking part (no messages,
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
}
