package dev.raftboot.confchange;

import dev.raftboot.quorum.JointConfig;
import dev.raftboot.quorum.MajorityConfig;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.tracker.Inflights;
import dev.raftboot.tracker.Progress;
import dev.raftboot.tracker.ProgressMap;
import dev.raftboot.tracker.ProgressTracker;
import dev.raftboot.tracker.TrackerConfig;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;

/**
 * Computes the membership that results from configuration changes, without modifying the tracker it
 * starts from: every operation works on a copy of the tracker's config and progress map, and
 * returns the new ones for the caller to install.
 *
 * <p>Changes to more than one voter at a time must go through a joint config: {@link #enterJoint}
 * then {@link #leaveJoint}. {@link #simple} changes at most one voter directly.
 */
public final class Changer {

  private final ProgressTracker tracker;
  private final long lastIndex;

  /**
   * @param tracker the current membership and progress
   * @param lastIndex the last index of the leader's log; new peers are probed from there
   */
  public Changer(ProgressTracker tracker, long lastIndex) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
    this.lastIndex = lastIndex;
  }

  /** A new membership and the matching progress map. */
  public record Result(TrackerConfig config, ProgressMap progress) {}

  ProgressTracker tracker() {
    return tracker;
  }

  /**
   * Enters a joint config: the current voters become the outgoing half and the changes are applied
   * to the incoming half. {@code autoLeave} records whether the joint config should be left
   * automatically.
   *
   * @throws ConfChangeException if already joint, if there are no voters, or if the changes remove
   *     all voters
   */
  public Result enterJoint(boolean autoLeave, List<ConfChangeSingle> ccs) {
    Result r = checkAndCopy();
    JointConfig voters = r.config().voters();
    if (voters.isJoint()) {
      throw new ConfChangeException("config is already joint");
    }
    if (voters.incoming().isEmpty()) {
      // An empty config may be populated (bootstrap, tests) but not made joint.
      throw new ConfChangeException("can't make a zero-voter config joint");
    }
    voters.incoming().ids().forEach(voters.outgoing()::add);
    apply(r, ccs);
    r.config().setAutoLeave(autoLeave);
    return checkAndReturn(r);
  }

  /**
   * Leaves the joint config: the outgoing half is dropped, staged learners become learners, and the
   * progress of peers that are no longer voters or learners is removed.
   *
   * @throws ConfChangeException if the config is not joint
   */
  public Result leaveJoint() {
    Result r = checkAndCopy();
    TrackerConfig cfg = r.config();
    ProgressMap trk = r.progress();
    if (!cfg.voters().isJoint()) {
      throw new ConfChangeException("can't leave a non-joint config");
    }
    for (long id : cfg.learnersNext()) {
      cfg.learners().add(id);
      trk.get(id).setLearner(true);
    }
    cfg.learnersNext().clear();
    MajorityConfig outgoing = cfg.voters().outgoing();
    for (long id : outgoing.ids()) {
      if (!cfg.voters().incoming().contains(id) && !cfg.learners().contains(id)) {
        trk.remove(id);
      }
    }
    for (long id : outgoing.slice()) {
      outgoing.remove(id);
    }
    cfg.setAutoLeave(false);
    return checkAndReturn(r);
  }

  /**
   * Applies changes that alter at most one voter, without a joint config. Learners may be added and
   * removed freely.
   *
   * @throws ConfChangeException if the config is joint, if more than one voter would change, or if
   *     no voter would remain
   */
  public Result simple(List<ConfChangeSingle> ccs) {
    Result r = checkAndCopy();
    if (r.config().voters().isJoint()) {
      throw new ConfChangeException("can't apply simple config change in joint config");
    }
    apply(r, ccs);
    int changedVoters =
        symmetricDifference(tracker.config().voters().incoming(), r.config().voters().incoming());
    if (changedVoters > 1) {
      throw new ConfChangeException("more than one voter changed without entering joint config");
    }
    return checkAndReturn(r);
  }

  /** Applies the changes to the incoming half in order; changes for node 0 are ignored. */
  private void apply(Result r, List<ConfChangeSingle> ccs) {
    for (ConfChangeSingle cc : ccs) {
      long id = cc.getNodeId();
      if (id == 0) {
        continue;
      }
      switch (cc.getType()) {
        case ConfChangeAddNode -> makeVoter(r, id);
        case ConfChangeAddLearnerNode -> makeLearner(r, id);
        case ConfChangeRemoveNode -> remove(r, id);
        case ConfChangeUpdateNode -> {
          // Carries application data only; the membership is unchanged.
        }
      }
    }
    if (r.config().voters().incoming().isEmpty()) {
      throw new ConfChangeException("removed all voters");
    }
  }

  private void makeVoter(Result r, long id) {
    Progress pr = r.progress().get(id);
    if (pr == null) {
      initProgress(r, id, false);
      return;
    }
    pr.setLearner(false);
    r.config().learners().remove(id);
    r.config().learnersNext().remove(id);
    r.config().voters().incoming().add(id);
  }

  private void makeLearner(Result r, long id) {
    Progress pr = r.progress().get(id);
    if (pr == null) {
      initProgress(r, id, true);
      return;
    }
    if (pr.isLearner()) {
      return;
    }
    remove(r, id);
    // The peer stays: only its role changes, so its progress is kept.
    r.progress().put(id, pr);
    // A voter of the outgoing half cannot be a learner too; it becomes one on leaving the joint
    // config.
    if (r.config().voters().outgoing().contains(id)) {
      r.config().learnersNext().add(id);
    } else {
      pr.setLearner(true);
      r.config().learners().add(id);
    }
  }

  private void remove(Result r, long id) {
    if (!r.progress().containsKey(id)) {
      return;
    }
    r.config().voters().incoming().remove(id);
    r.config().learners().remove(id);
    r.config().learnersNext().remove(id);
    // A voter of the outgoing half still needs its progress until the joint config is left.
    if (!r.config().voters().outgoing().contains(id)) {
      r.progress().remove(id);
    }
  }

  private void initProgress(Result r, long id, boolean isLearner) {
    if (isLearner) {
      r.config().learners().add(id);
    } else {
      r.config().voters().incoming().add(id);
    }
    // The new peer is probed from the end of the log (match < next always holds). It counts as
    // recently active so that a quorum check right after adding it cannot depose the leader.
    Progress pr =
        new Progress(
            0,
            Math.max(lastIndex, 1),
            new Inflights(tracker.maxInflight(), tracker.maxInflightBytes()),
            isLearner,
            true);
    r.progress().put(id, pr);
  }

  private Result checkAndCopy() {
    Result r = new Result(tracker.config().copy(), tracker.progress().copy());
    checkInvariants(r);
    return r;
  }

  private static Result checkAndReturn(Result r) {
    checkInvariants(r);
    return r;
  }

  /** Verifies the consistency rules between the config and the progress map. */
  private static void checkInvariants(Result r) {
    TrackerConfig cfg = r.config();
    ProgressMap trk = r.progress();
    for (SortedSet<Long> ids : List.of(cfg.voters().ids(), cfg.learners(), cfg.learnersNext())) {
      for (long id : ids) {
        if (!trk.containsKey(id)) {
          throw new ConfChangeException("no progress for " + Long.toUnsignedString(id));
        }
      }
    }
    MajorityConfig incoming = cfg.voters().incoming();
    MajorityConfig outgoing = cfg.voters().outgoing();
    // A staged learner is staged only because it is still a voter of the outgoing half.
    for (long id : cfg.learnersNext()) {
      if (!outgoing.contains(id)) {
        throw invariant(id, "is in LearnersNext, but not Voters[1]");
      }
      if (trk.get(id).isLearner()) {
        throw invariant(id, "is in LearnersNext, but is already marked as learner");
      }
    }
    for (long id : cfg.learners()) {
      if (outgoing.contains(id)) {
        throw invariant(id, "is in Learners and Voters[1]");
      }
      if (incoming.contains(id)) {
        throw invariant(id, "is in Learners and Voters[0]");
      }
      if (!trk.get(id).isLearner()) {
        throw invariant(id, "is in Learners, but is not marked as learner");
      }
    }
    if (!cfg.voters().isJoint()) {
      if (!cfg.learnersNext().isEmpty()) {
        throw new ConfChangeException("cfg.LearnersNext must be nil when not joint");
      }
      if (cfg.autoLeave()) {
        throw new ConfChangeException("AutoLeave must be false when not joint");
      }
    }
  }

  private static ConfChangeException invariant(long id, String what) {
    return new ConfChangeException(Long.toUnsignedString(id) + " " + what);
  }

  private static int symmetricDifference(MajorityConfig a, MajorityConfig b) {
    int n = 0;
    for (long id : a.ids()) {
      if (!b.contains(id)) {
        n++;
      }
    }
    for (long id : b.ids()) {
      if (!a.contains(id)) {
        n++;
      }
    }
    return n;
  }
}
