package dev.raftboot.sim;

import dev.raftboot.RaftUtil;
import dev.raftboot.confchange.Changer;
import dev.raftboot.confchange.ConfChanges;
import dev.raftboot.confchange.Restore;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.tracker.ProgressTracker;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * The application's own bookkeeping of the configuration: the {@link ConfState} after a conf-change
 * entry, computed from the one before it with the same rules Raft uses, but without a node. The
 * state machine keeps its configuration this way, so it never depends on when Raft's own
 * configuration moved (a snapshot can move it ahead of the applied entries), and what {@code
 * applyConfChange} returns can be cross-checked against it.
 */
final class ConfStates {

  private ConfStates() {}

  static ConfChangeV2 decode(Entry e) {
    try {
      return e.getType() == EntryType.EntryConfChange
          ? ConfChanges.toV2(ConfChange.parseFrom(e.getData()))
          : ConfChangeV2.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException("malformed conf change at index " + e.getIndex(), ex);
    }
  }

  /** The configuration after applying {@code cc} to {@code cs}. */
  static ConfState apply(ConfState cs, ConfChangeV2 cc) {
    ProgressTracker trk = new ProgressTracker(1, RaftUtil.NO_LIMIT);
    Changer.Result start = Restore.restore(new Changer(trk, 1), cs);
    trk.setConfig(start.config());
    trk.setProgress(start.progress());
    Changer changer = new Changer(trk, 1);
    Changer.Result r;
    if (ConfChanges.leaveJoint(cc)) {
      r = changer.leaveJoint();
    } else if (ConfChanges.enterJoint(cc)) {
      r = changer.enterJoint(ConfChanges.autoLeave(cc), cc.getChangesList());
    } else {
      r = changer.simple(cc.getChangesList());
    }
    trk.setConfig(r.config());
    trk.setProgress(r.progress());
    return trk.confState();
  }
}
