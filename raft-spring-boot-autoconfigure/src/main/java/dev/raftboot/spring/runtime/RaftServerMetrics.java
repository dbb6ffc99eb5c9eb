package dev.raftboot.spring.runtime;

import dev.raftboot.StateType;
import java.util.Set;

/**
 * Read-only counters and gauges of a {@link RaftServer}, for metrics and health checks.
 *
 * <p>Every method reads a value the raft loop or apply thread last published, without a round trip
 * to the raft loop: safe and cheap from any thread, but it may lag the node by a Ready. Counters
 * count since the server was created.
 */
public interface RaftServerMetrics {

  long nodeId();

  /** The role from the last Ready. */
  StateType role();

  /** The current term, as last persisted. */
  long term();

  /** The id of the leader this node follows (itself included), or 0 if it knows none. */
  long leaderId();

  /** The highest log index known to be committed, as last persisted. */
  long commitIndex();

  /** The highest log index applied to the state machine on this node. */
  long appliedIndex();

  /** How often the known leader changed (including to and from "no leader"). */
  long leaderChanges();

  /** Commands submitted on this node that were applied. */
  long proposalsCommitted();

  /** Commands submitted on this node that failed with no leader or a timeout. */
  long proposalsFailed();

  /** Duration of the last storage save of a Ready, in nanoseconds (0 before the first). */
  long lastPersistNanos();

  /** Snapshots this node took of its own state. */
  long snapshotsTaken();

  /** Snapshots this node, as leader, handed to the transport for a lagging follower. */
  long snapshotsSent();

  /** Snapshots the transport reported as not delivered. */
  long snapshotsFailed();

  /** Snapshots this node received from a leader and installed. */
  long snapshotsReceived();

  /** The ids of the other members in this node's address book. */
  Set<Long> peerIds();

  /** Registers a listener called with the duration of each storage save. */
  void addPersistListener(PersistListener listener);

  void removePersistListener(PersistListener listener);

  /**
   * Told how long each storage save took. Called on the raft loop thread after the save: it must
   * return quickly and must not call back into the server. An exception is logged and ignored.
   */
  @FunctionalInterface
  interface PersistListener {

    void persisted(long nanos);
  }
}
