package dev.raftboot.sim;

import com.google.protobuf.ByteString;
import dev.raftboot.RawNode;
import dev.raftboot.Ready;
import dev.raftboot.StateType;
import dev.raftboot.quorum.JointConfig;
import dev.raftboot.raftpb.Message;
import java.util.ArrayDeque;
import java.util.HashMap;

/** One simulated process: its disk survives crashes, everything else belongs to an incarnation. */
final class SimNode {

  final long id;
  final boolean async;
  final Disk disk = new Disk();
  /** Null while the node is down. */
  RawNode rn;
  StateMachine sm;
  /** Bumped at every crash, so that events of a dead incarnation are ignored. */
  int incarnation;
  /** Removed from the cluster by a committed conf change and stopped for good. */
  boolean retired;
  /** Retired, but the process has not stopped yet. */
  boolean retiring;
  /** Was a member of some committed configuration. */
  boolean everMember;
  /** The tick period of this incarnation, in simulated time units (clock drift between nodes). */
  long tickInterval;
  /** The last entry of the initial configuration this incarnation was bootstrapped with, or 0. */
  long bootstrapIndex;
  /** The index of the newest snapshot handed to the append thread (asynchronous writes). */
  long snapshotHandedOut;
  /** A snapshot for Raft to send is being built. */
  boolean snapshotPending;

  // async storage writes: the local append and apply threads
  final ArrayDeque<AppendJob> appendQueue = new ArrayDeque<>();
  final ArrayDeque<Message> applyQueue = new ArrayDeque<>();
  boolean appendBusy;
  boolean applyBusy;

  /** A sync started by a runtime that acknowledges before syncing is due. */
  boolean lazySyncPending;

  // pauses: a slow sync blocking the raft loop, or a suspended VM
  /** Nothing of this node runs before this time. */
  long pausedUntil;
  /** The Ready whose sync the raft loop waits for (synchronous writes on a slow disk), or null. */
  Ready stalledReady;
  /** The pause is a VM suspend: peers' requests to the node time out (are lost). */
  boolean suspended;
  /** Ticks the node's clock owes it after a pause; delivered at its next tick. */
  int missedTicks;

  // the node's own clock, for leases; per incarnation
  /** Global time when this incarnation's clock started. */
  long clockStart;
  /** Local time units this incarnation's clock did not count (a suspend whose clock stopped). */
  long clockLost;
  /** The term of the lease, and its end in local time units. */
  long leaseTerm;
  long leaseUntil;
  /** Read-index rounds in flight: request context to the round's start, for lease renewals. */
  final HashMap<ByteString, Round> rounds = new HashMap<>();

  /** A {@code MsgStorageAppend} and the {@code mustSync} of the Ready that carried it. */
  record AppendJob(Message m, boolean mustSync) {}

  /**
   * A read-index round this node started: at local time {@code startedAt}, as leader of {@code
   * leaderTerm} with no transfer under way (0 otherwise).
   */
  record Round(long startedAt, long leaderTerm) {}

  // checker bookkeeping
  boolean dirty;
  boolean diskDirty;
  long commitSeen;
  StateType lastState = StateType.FOLLOWER;
  /** The node's voters as of the end of the previous step. */
  JointConfig prevVoters;
  long lastLead;

  SimNode(long id, boolean async) {
    this.id = id;
    this.async = async;
  }

  boolean up() {
    return rn != null;
  }

  /** Whether the node is paused at {@code now}: blocked in a slow sync, or suspended. */
  boolean paused(long now) {
    return stalledReady != null || pausedUntil > now;
  }

  /** This incarnation's clock reading at global time {@code now}, in local time units. */
  long clock(long now) {
    return (now - clockStart) * Simulation.TICK / tickInterval - clockLost;
  }

  @Override
  public String toString() {
    return "n" + id;
  }
}
