package dev.raftboot.sim;

import dev.raftboot.RawNode;
import dev.raftboot.StateType;
import dev.raftboot.quorum.JointConfig;
import dev.raftboot.raftpb.Message;
import java.util.ArrayDeque;

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
  final ArrayDeque<Message> appendQueue = new ArrayDeque<>();
  final ArrayDeque<Message> applyQueue = new ArrayDeque<>();
  boolean appendBusy;
  boolean applyBusy;

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

  @Override
  public String toString() {
    return "n" + id;
  }
}
