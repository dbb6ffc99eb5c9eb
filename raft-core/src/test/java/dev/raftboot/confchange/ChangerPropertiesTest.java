package dev.raftboot.confchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ChangerPropertiesTest {

  private static final long LAST_INDEX = 10;

  private static ConfChangeSingle cc(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  private static Arbitrary<ConfChangeSingle> changes(Arbitrary<Long> ids) {
    return Combinators.combine(Arbitraries.of(ConfChangeType.class), ids)
        .as(ChangerPropertiesTest::cc);
  }

  /** Voter 1 plus up to five more voters among 1..5, added one at a time. */
  @Provide
  Arbitrary<List<ConfChangeSingle>> setups() {
    return Arbitraries.longs()
        .between(1, 5)
        .list()
        .ofMaxSize(5)
        .map(
            ids -> {
              List<ConfChangeSingle> l = new ArrayList<>();
              l.add(cc(ConfChangeType.ConfChangeAddNode, 1));
              ids.forEach(id -> l.add(cc(ConfChangeType.ConfChangeAddNode, id)));
              return l;
            });
  }

  /** Any changes to nodes 2..10; node 1 is left alone so that no config runs out of voters. */
  @Provide
  Arbitrary<List<ConfChangeSingle>> batches() {
    return changes(Arbitraries.longs().between(2, 10)).list().ofMinSize(1).ofMaxSize(9);
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

  @Property(tries = 300)
  void oneByOneAndJointReachTheSameConfig(
      @ForAll("setups") List<ConfChangeSingle> setup,
      @ForAll("batches") List<ConfChangeSingle> ccs) {
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

  @Provide
  Arbitrary<List<Step>> walks() {
    Arbitrary<List<ConfChangeSingle>> ccs =
        changes(Arbitraries.longs().between(0, 6)).list().ofMaxSize(4);
    return Combinators.combine(
            Arbitraries.integers().between(0, 2), Arbitraries.of(true, false), ccs)
        .as(Step::new)
        .list()
        .ofMaxSize(25);
  }

  @Property(tries = 300)
  void invariantsHoldAfterEveryStepAndFailedStepsChangeNothing(@ForAll("walks") List<Step> walk) {
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
  @Provide
  Arbitrary<ConfState> confStates() {
    Arbitrary<List<Long>> ids =
        Arbitraries.oneOf(
                Arbitraries.longs().between(1, 30), Arbitraries.longs().filter(l -> l != 0))
            .list()
            .uniqueElements()
            .ofSize(11);
    return Combinators.combine(
            ids,
            Arbitraries.integers().between(1, 5),
            Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 5),
            Arbitraries.integers().between(0, 2),
            Arbitraries.of(true, false))
        .as(
            (pool, nVoters, nLearners, nRemoved, nRetained, nNext, autoLeave) -> {
              List<Long> voters = pool.subList(0, nVoters);
              List<Long> learners = pool.subList(nVoters, nVoters + nLearners);
              List<Long> removed =
                  pool.subList(nVoters + nLearners, nVoters + nLearners + nRemoved);
              List<Long> outgoing =
                  new ArrayList<>(voters.subList(0, Math.min(nRetained, nVoters)));
              outgoing.addAll(removed);
              ConfState.Builder b =
                  ConfState.newBuilder()
                      .addAllVoters(voters)
                      .addAllLearners(learners)
                      .addAllVotersOutgoing(outgoing)
                      .addAllLearnersNext(removed.subList(0, Math.min(nNext, nRemoved)));
              return b.setAutoLeave(!outgoing.isEmpty() && autoLeave).build();
            });
  }

  @Property(tries = 300)
  void restoreRoundTrips(@ForAll("confStates") ConfState cs) {
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
