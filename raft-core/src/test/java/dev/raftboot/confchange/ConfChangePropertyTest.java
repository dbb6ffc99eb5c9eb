package dev.raftboot.confchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.tracker.Progress;
import dev.raftboot.tracker.ProgressTracker;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Randomized checks of the membership change machinery: a change applied directly (simple) and
 * the same change made through a joint configuration end in the same membership, a batch made
 * through one joint configuration equals the same changes applied one by one, and every reachable
 * ConfState survives a round trip through {@link Restore}.
 */
class ConfChangePropertyTest {

  @Provide
  Arbitrary<ConfChangeSingle> change() {
    return Combinators.combine(
            Arbitraries.of(
                ConfChangeType.ConfChangeAddNode,
                ConfChangeType.ConfChangeAddLearnerNode,
                ConfChangeType.ConfChangeRemoveNode),
            Arbitraries.longs().between(1, 6))
        .as((t, id) -> ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build());
  }

  @Provide
  Arbitrary<List<ConfChangeSingle>> changes() {
    return change().list().ofMinSize(1).ofMaxSize(12);
  }

  private static ProgressTracker tracker() {
    ProgressTracker t = new ProgressTracker(10, 0);
    install(t, new Changer(t, 10).simple(List.of(single(ConfChangeType.ConfChangeAddNode, 1))));
    return t;
  }

  private static ConfChangeSingle single(ConfChangeType type, long id) {
    return ConfChangeSingle.newBuilder().setType(type).setNodeId(id).build();
  }

  private static void install(ProgressTracker t, Changer.Result r) {
    t.setConfig(r.config());
    t.setProgress(r.progress());
  }

  /** The membership and, per member, whether it is a learner. */
  private static Map<Long, Boolean> members(ProgressTracker t) {
    Map<Long, Boolean> m = new TreeMap<>();
    for (Map.Entry<Long, Progress> e : t.progress().entrySet()) {
      m.put(e.getKey(), e.getValue().isLearner());
    }
    return m;
  }

  /** Tries {@code simple}; returns false (tracker untouched) if the change is invalid. */
  private static boolean trySimple(ProgressTracker t, ConfChangeSingle cc) {
    try {
      install(t, new Changer(t, 10).simple(List.of(cc)));
      return true;
    } catch (ConfChangeException e) {
      return false;
    }
  }

  private static boolean tryJoint(ProgressTracker t, List<ConfChangeSingle> ccs) {
    try {
      install(t, new Changer(t, 10).enterJoint(false, ccs));
    } catch (ConfChangeException e) {
      return false;
    }
    assertThat(t.config().voters().isJoint()).isTrue();
    install(t, new Changer(t, 10).leaveJoint());
    return true;
  }

  @Property(tries = 300)
  void simpleAndJointRoutesAgreeStepByStep(@ForAll("changes") List<ConfChangeSingle> ccs) {
    ProgressTracker a = tracker();
    ProgressTracker b = tracker();
    for (ConfChangeSingle cc : ccs) {
      boolean okA = trySimple(a, cc);
      boolean okB = tryJoint(b, List.of(cc));
      assertThat(okB).as("outcome of %s", cc).isEqualTo(okA);
      assertThat(b.confState()).isEqualTo(a.confState());
      assertThat(members(b)).isEqualTo(members(a));
      assertThat(a.config().voters().isJoint()).isFalse();
      assertThat(a.config().learnersNext()).isEmpty();
    }
  }

  @Property(tries = 300)
  void oneJointBatchEqualsSequentialSimpleChanges(@ForAll("changes") List<ConfChangeSingle> ccs) {
    ProgressTracker seq = tracker();
    for (ConfChangeSingle cc : ccs) {
      if (!trySimple(seq, cc)) {
        return; // only sequences that are valid step by step are comparable
      }
    }
    ProgressTracker batch = tracker();
    assertThat(tryJoint(batch, ccs)).isTrue();
    assertThat(batch.confState()).isEqualTo(seq.confState());
    assertThat(members(batch)).isEqualTo(members(seq));
  }

  /** Any membership reachable by changes (joint or not) is rebuilt exactly from its ConfState. */
  @Property(tries = 300)
  void restoreRoundTrips(
      @ForAll("changes") List<ConfChangeSingle> before,
      @ForAll("changes") List<ConfChangeSingle> joint,
      @ForAll boolean enterJoint,
      @ForAll boolean autoLeave) {
    ProgressTracker t = tracker();
    for (ConfChangeSingle cc : before) {
      trySimple(t, cc);
    }
    if (enterJoint) {
      try {
        install(t, new Changer(t, 10).enterJoint(autoLeave, joint));
      } catch (ConfChangeException e) {
        // stays non-joint
      }
    }
    ConfState cs = t.confState();
    ProgressTracker fresh = new ProgressTracker(10, 0);
    Changer.Result r = Restore.restore(new Changer(fresh, 10), cs);
    assertThat(fresh.confState()).isEqualTo(cs);
    assertThat(r.config().voters()).isEqualTo(t.config().voters());
    assertThat(members(fresh)).isEqualTo(members(t));
  }
}
