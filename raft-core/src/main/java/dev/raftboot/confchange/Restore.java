package dev.raftboot.confchange;

import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.List;

/** Rebuilds a membership from a {@link ConfState}, as found in a snapshot or on restart. */
public final class Restore {

  private Restore() {}

  /**
   * Brings {@code chg}'s tracker to the membership described by {@code cs}, through a sequence of
   * single-voter changes (plus one joint change if {@code cs} is joint), installing each step's
   * result in the tracker as it goes. The tracker is expected to start empty.
   *
   * @return the final config and progress map, as installed in the tracker
   * @throws ConfChangeException if {@code cs} is not a valid membership, e.g. learners but no
   *     voters
   */
  public static Changer.Result restore(Changer chg, ConfState cs) {
    ProgressTracker tracker = chg.tracker();
    List<ConfChangeSingle> incoming = new ArrayList<>();
    // A joint config is rebuilt from the outgoing voters: they are added one at a time, then
    // entering the joint state moves them to the outgoing half while the incoming half is
    // replaced by removing them and adding the new voters and learners.
    cs.getVotersOutgoingList()
        .forEach(id -> incoming.add(single(ConfChangeType.ConfChangeRemoveNode, id)));
    cs.getVotersList().forEach(id -> incoming.add(single(ConfChangeType.ConfChangeAddNode, id)));
    cs.getLearnersList()
        .forEach(id -> incoming.add(single(ConfChangeType.ConfChangeAddLearnerNode, id)));
    // Learners-to-be are voters of the outgoing half; adding them as learners stages them.
    cs.getLearnersNextList()
        .forEach(id -> incoming.add(single(ConfChangeType.ConfChangeAddLearnerNode, id)));
    if (cs.getVotersOutgoingCount() == 0) {
      for (ConfChangeSingle cc : incoming) {
        install(tracker, chg.simple(List.of(cc)));
      }
    } else {
      for (long id : cs.getVotersOutgoingList()) {
        install(tracker, chg.simple(List.of(single(ConfChangeType.ConfChangeAddNode, id))));
      }
      install(tracker, chg.enterJoint(cs.getAutoLeave(), incoming));
    }
    return new Changer.Result(tracker.config(), tracker.progress());
  }

  private static void install(ProgressTracker tracker, Changer.Result r) {
    tracker.setConfig(r.config());
    tracker.setProgress(r.progress());
  }

  private static ConfChangeSingle single(ConfChangeType type, long id) {
    return ConfChangeSingle.newBuilder().setType(type).setNodeId(id).build();
  }
}
