package dev.raftboot.confchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChangerPropertiesTest {

  private static final long LAST_INDEX = 10;

  private static ConfChangeSingle cc(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  private static final int TRIES = 300;

  /** A random change of a random type to a node in {@code [lo, hi]}. */
  private static ConfChangeSingle change(SplittableRandom r, long lo, long hi) {
    ConfChangeType[] types = ConfChangeType.values();
    return cc(types[r.nextInt(types.length)], r.nextLong(lo, hi + 1));
  }

  /** Voter 1 plus up to five more voters among 1..5, added one at a time. */
  static List<ConfChangeSingle> setup(SplittableRandom r) {
    List<ConfChangeSingle> l = new ArrayList<>();
    l.add(cc(ConfChangeType.ConfChangeAddNode, 1));
    for (int i = r.nextInt(6); i > 0; i--) {
      l.add(cc(ConfChangeType.ConfChangeAddNode, r.nextLong(1, 6)));
    }
    return l;
  }

  /** Any changes to nodes 2..10; node 1 is left alone so that no config runs out of voters. */
  static List<ConfChangeSingle> batch(SplittableRandom r) {
    List<ConfChangeSingle> l = new ArrayList<>();
    for (int i = 1 + r.nextInt(9); i > 0; i--) {
      l.add(change(r, 2, 10));
    }
    return l;
  }

  /** Runs {@code check} with {@link #TRIES} seeded random sources; a failure names its seed. */
  private static void forAll(java.util.function.Consumer<SplittableRandom> check) {
    for (int seed = 0; seed < TRIES; seed++) {
      try {
        check.accept(new SplittableRandom(seed));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed, e);
      }
    }
  }

  private static void install(ProgressTracker t, Changer.Result r) {
    t.setConfig(r.config());
    t.setProgress(r.progress());
  }

  private static String state(ProgressTracker t) {
    return t.config() + "\n" + t.progress();
  }

  private static ProgressTracker applySimply(
      List<ConfChangeSingle> setup, List<ConfChangeSingle> ccs) {
    ProgressTracker t = new ProgressTracker(10, 0);
    for (ConfChangeSingle cc : setup) {
      install(t, new Changer(t, LAST_INDEX).simple(List.of(cc)));
    }
    for (ConfChangeSingle cc : ccs) {
      install(t, new Changer(t, LAST_INDEX).simple(List.of(cc)));
      Invariants.check(t.config(), t.progress());
    }
    return t;
  }

  @Test
  void oneByOneAndJointReachTheSameConfig() {
    forAll(rnd -> oneByOneAndJointReachTheSameConfig(setup(rnd), batch(rnd)));
  }

  private static void oneByOneAndJointReachTheSameConfig(
      List<ConfChangeSingle> setup, List<ConfChangeSingle> ccs) {
    ProgressTracker simple = applySimply(setup, ccs);

    ProgressTracker joint = applySimply(setup, List.of());
    Changer.Result entered = new Changer(joint, LAST_INDEX).enterJoint(false, ccs);
    Changer.Result enteredAuto = new Changer(joint, LAST_INDEX).enterJoint(true, ccs);
    assertThat(enteredAuto.config().autoLeave()).isTrue();
    enteredAuto.config().setAutoLeave(false);
    assertThat(enteredAuto.config()).hasToString(entered.config().toString());
    assertThat(enteredAuto.progress()).hasToString(entered.progress().toString());
    install(joint, entered);
    Invariants.check(joint.config(), joint.progress());
    install(joint, new Changer(joint, LAST_INDEX).leaveJoint());
    Invariants.check(joint.config(), joint.progress());

    assertThat(state(joint)).isEqualTo(state(simple));
  }

  /** A step of a random walk: a simple change, entering a joint config, or leaving it. */
  record Step(int kind, boolean autoLeave, List<ConfChangeSingle> ccs) {}

  static List<Step> walk(SplittableRandom r) {
    List<Step> walk = new ArrayList<>();
    for (int i = r.nextInt(26); i > 0; i--) {
      List<ConfChangeSingle> ccs = new ArrayList<>();
      for (int j = r.nextInt(5); j > 0; j--) {
        ccs.add(change(r, 0, 6));
      }
      walk.add(new Step(r.nextInt(3), r.nextBoolean(), ccs));
    }
    return walk;
  }

  @Test
  void invariantsHoldAfterEveryStepAndFailedStepsChangeNothing() {
    forAll(rnd -> invariantsHoldAfterEveryStepAndFailedStepsChangeNothing(walk(rnd)));
  }

  private static void invariantsHoldAfterEveryStepAndFailedStepsChangeNothing(List<Step> walk) {
    ProgressTracker t = new ProgressTracker(10, 0);
    long lastIndex = 0;
    for (Step s : walk) {
      Changer chg = new Changer(t, lastIndex++);
      String before = state(t);
      try {
        Changer.Result r =
            switch (s.kind()) {
              case 0 -> chg.simple(s.ccs());
              case 1 -> chg.enterJoint(s.autoLeave(), s.ccs());
              default -> chg.leaveJoint();
            };
        assertThat(state(t)).as("tracker untouched until installed").isEqualTo(before);
        Invariants.check(r.config(), r.progress());
        install(t, r);
      } catch (ConfChangeException e) {
        assertThat(state(t)).isEqualTo(before);
      }
    }
  }

  /**
   * Valid ConfStates: 1-5 voters, up to 4 learners, and possibly a joint config whose outgoing half
   * keeps some incoming voters, has up to 2 voters of its own, and stages some of those as
   * learners. IDs are distinct and some have the top bit set; lists are in random order.
   */
  static ConfState confState(SplittableRandom r) {
    java.util.LinkedHashSet<Long> ids = new java.util.LinkedHashSet<>();
    while (ids.size() < 11) {
      long id = r.nextBoolean() ? r.nextLong(1, 31) : r.nextLong();
      if (id != 0) {
        ids.add(id);
      }
    }
    List<Long> pool = new ArrayList<>(ids);
    int nVoters = r.nextInt(1, 6);
    int nLearners = r.nextInt(5);
    int nRemoved = r.nextInt(3);
    int nRetained = r.nextInt(6);
    int nNext = r.nextInt(3);
    boolean autoLeave = r.nextBoolean();
    List<Long> voters = pool.subList(0, nVoters);
    List<Long> learners = pool.subList(nVoters, nVoters + nLearners);
    List<Long> removed = pool.subList(nVoters + nLearners, nVoters + nLearners + nRemoved);
    List<Long> outgoing = new ArrayList<>(voters.subList(0, Math.min(nRetained, nVoters)));
    outgoing.addAll(removed);
    return ConfState.newBuilder()
        .addAllVoters(voters)
        .addAllLearners(learners)
        .addAllVotersOutgoing(outgoing)
        .addAllLearnersNext(removed.subList(0, Math.min(nNext, nRemoved)))
        .setAutoLeave(!outgoing.isEmpty() && autoLeave)
        .build();
  }

  @Test
  void restoreRoundTrips() {
    forAll(rnd -> restoreRoundTrips(confState(rnd)));
  }

  private static void restoreRoundTrips(ConfState cs) {
    ProgressTracker t = new ProgressTracker(20, 0);
    Changer.Result r = Restore.restore(new Changer(t, LAST_INDEX), cs);
    Invariants.check(r.config(), r.progress());
    ConfState expected =
        ConfState.newBuilder()
            .addAllVoters(sorted(cs.getVotersList()))
            .addAllLearners(sorted(cs.getLearnersList()))
            .addAllVotersOutgoing(sorted(cs.getVotersOutgoingList()))
            .addAllLearnersNext(sorted(cs.getLearnersNextList()))
            .setAutoLeave(cs.getAutoLeave())
            .build();
    assertThat(t.confState()).isEqualTo(expected);
  }

  private static List<Long> sorted(List<Long> ids) {
    return ids.stream().sorted(Comparator.comparing(l -> l, Long::compareUnsigned)).toList();
  }
}
