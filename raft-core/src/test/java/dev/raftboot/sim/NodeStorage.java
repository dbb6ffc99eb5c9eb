package dev.raftboot.sim;

import dev.raftboot.ForwardingStorage;

import dev.raftboot.InitialState;
import dev.raftboot.MemoryStorage;
import dev.raftboot.SnapshotTemporarilyUnavailableException;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.util.function.Predicate;

/**
 * The storage a simulated node's Raft reads: its {@link MemoryStorage} (the disk), with two things
 * an application decides.
 *
 * <ul>
 *   <li>After a restart the initial state reports the configuration of the state machine's durable
 *       checkpoint (not the snapshot's) and a commit index of at least the checkpoint's applied
 *       index: {@code Config.applied} must not exceed the commit index, and the configuration must
 *       be the one in effect at the applied index, or Raft would miss the conf changes applied since
 *       the snapshot.
 *   <li>When Raft asks for a snapshot to send and the stored one is too old (it predates a conf
 *       change the state machine has applied, so a node added since would refuse it as "not in the
 *       ConfState"), it answers {@link SnapshotTemporarilyUnavailableException} and the
 *       application builds a fresh one; Raft asks again later.
 * </ul>
 */
final class NodeStorage extends ForwardingStorage {

  private final MemoryStorage mem;
  private final InitialState initial;
  private final Predicate<Snapshot> stale;

  /** A node starting from {@code mem} as it is. */
  NodeStorage(MemoryStorage mem, Predicate<Snapshot> stale) {
    super(mem);
    this.mem = mem;
    this.initial = null;
    this.stale = stale;
  }

  /** A restarted node whose state machine durably applied {@code applied} under {@code conf}. */
  NodeStorage(MemoryStorage mem, ConfState conf, long applied, Predicate<Snapshot> stale) {
    super(mem);
    this.mem = mem;
    HardState hs = mem.initialState().hardState();
    if (hs.getCommit() < applied) {
      hs = hs.toBuilder().setCommit(applied).build();
    }
    this.initial = new InitialState(hs, conf);
    this.stale = stale;
  }

  @Override
  public InitialState initialState() {
    return initial != null ? initial : super.initialState();
  }

  @Override
  public Snapshot snapshot() {
    Snapshot s = mem.snapshot();
    if (stale.test(s)) {
      throw SnapshotTemporarilyUnavailableException.INSTANCE;
    }
    return s;
  }
}
