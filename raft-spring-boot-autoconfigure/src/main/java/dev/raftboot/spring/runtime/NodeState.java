package dev.raftboot.spring.runtime;

import dev.raftboot.StateType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.spring.api.NodeStoppedException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The values the parts of one running node publish for each other and for readers on any thread.
 * Each value has one writer, named beside it; readers see the last value written, which may lag
 * the node by a Ready. Nothing here is a decision input for raft itself: the raft loop's {@code
 * RawNode} remains the only source of truth for the algorithm.
 */
final class NodeState {

  private final long nodeId;
  /** Ids of commands, membership changes and read rounds; random start so restarts don't reuse. */
  private final AtomicLong requestIds = new AtomicLong(new SecureRandom().nextLong());

  /** Written by the lifecycle. */
  private volatile boolean running;

  /**
   * Why the node stopped taking part on its own, or null while it takes part: written by {@link
   * NodeFault} when a write failed or a thread of the node met an unexpected error, cleared when
   * the node is rebuilt from storage.
   */
  private volatile Failure failure;

  // Written by the raft loop, from each Ready.
  private volatile StateType role = StateType.FOLLOWER;
  private volatile long term;
  private volatile long commitIndex;
  private volatile long leaderId;

  // Written by the apply thread (and by start, before the threads run).
  private volatile long appliedIndex;
  private volatile ConfState confState = ConfState.getDefaultInstance();
  private volatile Map<Long, URI> addresses;

  /** When the transport last reported each peer unreachable ({@link System#nanoTime()}). */
  private final Map<Long, Long> unreachableAt = new ConcurrentHashMap<>();

  // Counters for metrics, each incremented by the part that sees the event.
  final AtomicLong proposalsCommitted = new AtomicLong();
  final AtomicLong proposalsFailed = new AtomicLong();
  final AtomicLong leaderChanges = new AtomicLong();
  final AtomicLong lastPersistNanos = new AtomicLong();
  final AtomicLong snapshotsTaken = new AtomicLong();
  final AtomicLong snapshotsInstalled = new AtomicLong();
  final AtomicLong snapshotsSent = new AtomicLong();
  final AtomicLong snapshotsFailed = new AtomicLong();
  final AtomicLong duplicatesSkipped = new AtomicLong();
  final AtomicLong leaseReads = new AtomicLong();

  NodeState(long nodeId, Map<Long, URI> initialAddresses) {
    this.nodeId = nodeId;
    this.addresses = Map.copyOf(initialAddresses);
  }

  long nodeId() {
    return nodeId;
  }

  long nextRequestId() {
    return requestIds.incrementAndGet();
  }

  boolean running() {
    return running;
  }

  void running(boolean running) {
    this.running = running;
  }

  /**
   * Why a node stopped taking part: {@code kind} names what failed ("storage failure", "unexpected
   * error in the raft loop"), {@code description} the error.
   */
  record Failure(String kind, String description) {

    /** How health and logs put it: {@code kind: description}. */
    String reason() {
      return kind + ": " + description;
    }

    /** What the callers still waiting on node {@code nodeId} are told once it stopped. */
    String stopped(long nodeId) {
      return "raft node " + Long.toUnsignedString(nodeId) + " stopped (" + reason() + ")";
    }
  }

  /** Whether the node runs and has not failed: it may take part and serve. */
  boolean serving() {
    return running && failure == null;
  }

  /** Why the node stopped taking part, or null while it takes part. */
  Failure failure() {
    return failure;
  }

  /** Records the first failure; false if one was recorded already (and not cleared since). */
  synchronized boolean failed(Failure why) {
    if (failure != null) {
      return false;
    }
    failure = why;
    return true;
  }

  /** Clears the failure once the node was rebuilt from storage; it takes part again. */
  synchronized void recovered() {
    failure = null;
  }

  /** The refusal for a call made while the node does not serve: stopped, or failed. */
  NodeStoppedException notServing() {
    Failure f = failure;
    return f != null
        ? new NodeStoppedException(
            "raft node " + Long.toUnsignedString(nodeId) + " does not serve (" + f.reason()
                + "); nothing was done")
        : new NodeStoppedException("raft node is not running");
  }

  StateType role() {
    return role;
  }

  long term() {
    return term;
  }

  long commitIndex() {
    return commitIndex;
  }

  /** The leader from the last Ready that changed it, or 0. */
  long leaderId() {
    return leaderId;
  }

  void role(StateType role) {
    this.role = role;
  }

  void leaderId(long leaderId) {
    this.leaderId = leaderId;
  }

  void hardState(long term, long commitIndex) {
    this.term = term;
    this.commitIndex = commitIndex;
  }

  long appliedIndex() {
    return appliedIndex;
  }

  void appliedIndex(long appliedIndex) {
    this.appliedIndex = appliedIndex;
  }

  ConfState confState() {
    return confState;
  }

  void confState(ConfState confState) {
    this.confState = confState;
  }

  /** Every member's base URL, this node's included. */
  Map<Long, URI> addresses() {
    return addresses;
  }

  void addresses(Map<Long, URI> addresses) {
    this.addresses = Map.copyOf(addresses);
  }

  /** The address book without this node: what the transport sends to. */
  Map<Long, URI> peers() {
    Map<Long, URI> others = new TreeMap<>(addresses);
    others.remove(nodeId);
    return others;
  }

  void unreachable(long peerId) {
    unreachableAt.put(peerId, System.nanoTime());
  }

  /** Whether the transport reported {@code peerId} unreachable at or after {@code since}. */
  boolean unreachableSince(long peerId, long since) {
    Long at = unreachableAt.get(peerId);
    return at != null && at - since >= 0;
  }
}
