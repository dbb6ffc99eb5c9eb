package dev.raftboot.confchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.raftpb.ConfState;
import dev.raftboot.tracker.Inflights;
import dev.raftboot.tracker.Progress;
import dev.raftboot.tracker.ProgressTracker;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangerTest {

  private final ProgressTracker tracker = new ProgressTracker(4, 100);

  private void install(Changer.Result r) {
    tracker.setConfig(r.config());
    tracker.setProgress(r.progress());
  }

  @Test
  void operationsDoNotModifyTheTracker() {
    install(new Changer(tracker, 0).simple(ConfChanges.fromString("v1")));
    String before = tracker.config() + "\n" + tracker.progress();
    new Changer(tracker, 5).enterJoint(true, ConfChanges.fromString("v2 l1"));
    new Changer(tracker, 5).simple(ConfChanges.fromString("v2 l3"));
    assertThat(tracker.config() + "\n" + tracker.progress()).isEqualTo(before);
  }

  @Test
  void newProgressUsesTheTrackerLimitsAndLastIndex() {
    Changer.Result r = new Changer(tracker, 7).simple(ConfChanges.fromString("v1 l2"));
    assertThat(r.progress())
        .hasToString("1: StateProbe match=0 next=7\n2: StateProbe match=0 next=7 learner\n");
    Progress pr = r.progress().get(1L);
    for (int i = 0; i < 4; i++) {
      assertThat(pr.inflights().full()).isFalse();
      pr.inflights().add(i + 1, 1);
    }
    assertThat(pr.inflights().full()).isTrue();
  }

  @Test
  void invariantViolationsOfTheInputAreReported() {
    tracker.config().voters().incoming().add(1);
    assertThatThrownBy(() -> new Changer(tracker, 0).simple(ConfChanges.fromString("v2")))
        .isInstanceOf(ConfChangeException.class)
        .hasMessage("no progress for 1");

    tracker.progress().put(1L, new Progress(0, 1, new Inflights(4, 0), false, true));
    tracker.config().learnersNext().add(1L);
    assertThatThrownBy(() -> new Changer(tracker, 0).simple(ConfChanges.fromString("v2")))
        .hasMessage("1 is in LearnersNext, but not Voters[1]");

    tracker.config().learnersNext().clear();
    tracker.config().setAutoLeave(true);
    assertThatThrownBy(() -> new Changer(tracker, 0).simple(ConfChanges.fromString("v2")))
        .hasMessage("AutoLeave must be false when not joint");

    tracker.config().setAutoLeave(false);
    tracker.config().learners().add(1L);
    assertThatThrownBy(() -> new Changer(tracker, 0).simple(ConfChanges.fromString("v2")))
        .hasMessage("1 is in Learners and Voters[0]");
  }

  @Test
  void restoreOfTheEmptyConfStateLeavesTheTrackerEmpty() {
    Changer.Result r = Restore.restore(new Changer(tracker, 3), ConfState.getDefaultInstance());
    assertThat(r.config()).hasToString("voters=()");
    assertThat(r.progress()).isEmpty();
  }

  @Test
  void restoreOfLearnersWithoutVotersFails() {
    ConfState cs = ConfState.newBuilder().addLearners(1).build();
    assertThatThrownBy(() -> Restore.restore(new Changer(tracker, 3), cs))
        .isInstanceOf(ConfChangeException.class)
        .hasMessage("removed all voters");
  }

  @Test
  void restoreOfAJointConfState() {
    ConfState cs =
        ConfState.newBuilder()
            .addAllVoters(List.of(3L, 1L, 2L))
            .addLearners(5)
            .addAllVotersOutgoing(List.of(1L, 2L, 4L, 6L))
            .addLearnersNext(4)
            .setAutoLeave(true)
            .build();
    Changer.Result r = Restore.restore(new Changer(tracker, 10), cs);
    assertThat(r.config())
        .hasToString("voters=(1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4) autoleave");
    assertThat(tracker.config()).isSameAs(r.config());
    assertThat(tracker.confState().getVotersList()).containsExactly(1L, 2L, 3L);
  }
}
