package dev.raftboot.spring.runtime;

import dev.raftboot.StateType;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link RaftServerMetrics} of one node: a read-only view of its {@link NodeState}. */
final class NodeMetrics implements RaftServerMetrics {

  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

  private final NodeState state;
  private final List<PersistListener> persistListeners = new CopyOnWriteArrayList<>();

  NodeMetrics(NodeState state) {
    this.state = state;
  }

  @Override
  public long nodeId() {
    return state.nodeId();
  }

  @Override
  public StateType role() {
    return state.role();
  }

  @Override
  public long term() {
    return state.term();
  }

  @Override
  public long leaderId() {
    return state.leaderId();
  }

  @Override
  public long commitIndex() {
    return state.commitIndex();
  }

  @Override
  public long appliedIndex() {
    return state.appliedIndex();
  }

  @Override
  public long leaderChanges() {
    return state.leaderChanges.get();
  }

  @Override
  public long proposalsCommitted() {
    return state.proposalsCommitted.get();
  }

  @Override
  public long proposalsFailed() {
    return state.proposalsFailed.get();
  }

  @Override
  public long lastPersistNanos() {
    return state.lastPersistNanos.get();
  }

  @Override
  public long snapshotsTaken() {
    return state.snapshotsTaken.get();
  }

  @Override
  public long snapshotsSent() {
    return state.snapshotsSent.get();
  }

  @Override
  public long snapshotsFailed() {
    return state.snapshotsFailed.get();
  }

  @Override
  public long snapshotsReceived() {
    return state.snapshotsInstalled.get();
  }

  @Override
  public Set<Long> peerIds() {
    return new TreeSet<>(state.peers().keySet());
  }

  @Override
  public void addPersistListener(PersistListener listener) {
    persistListeners.add(listener);
  }

  @Override
  public void removePersistListener(PersistListener listener) {
    persistListeners.remove(listener);
  }

  /** Called by the persist stage; listeners are metrics hooks, so one that throws is only logged. */
  void persisted(long nanos) {
    state.lastPersistNanos.set(nanos);
    for (PersistListener l : persistListeners) {
      try {
        l.persisted(nanos);
      } catch (RuntimeException e) {
        log.warn("raft persist listener failed", e);
      }
    }
  }
}
