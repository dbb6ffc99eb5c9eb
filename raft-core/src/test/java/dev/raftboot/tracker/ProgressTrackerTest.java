package dev.raftboot.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.quorum.VoteResult;
import dev.raftboot.raftpb.ConfState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {

  private static final long HIGH = 0x8000_0000_0000_0001L;

  private final ProgressTracker t = new ProgressTracker(5, 0);

  private Progress add(long id, long match, boolean learner) {
    Progress pr = new Progress(match, match + 1, new Inflights(5, 0), learner, true);
    t.progress().put(id, pr);
    if (learner) {
      t.config().learners().add(id);
    } else {
      t.config().voters().incoming().add(id);
    }
    return pr;
  }

  @Test
  void confStateListsAreSortedUnsigned() {
    add(HIGH, 0, false);
    add(2, 0, false);
    add(1, 0, true);
    t.config().voters().outgoing().add(3);
    t.config().voters().outgoing().add(2);
    t.config().learnersNext().add(3L);
    t.config().setAutoLeave(true);
    ConfState cs = t.confState();
    assertThat(cs.getVotersList()).containsExactly(2L, HIGH);
    assertThat(cs.getVotersOutgoingList()).containsExactly(2L, 3L);
    assertThat(cs.getLearnersList()).containsExactly(1L);
    assertThat(cs.getLearnersNextList()).containsExactly(3L);
    assertThat(cs.getAutoLeave()).isTrue();
    assertThat(t.voterNodes()).containsExactly(2L, 3L, HIGH);
    assertThat(t.learnerNodes()).containsExactly(1L);
    assertThat(t.config())
        .hasToString("voters=(2 8000000000000001)&&(2 3) learners=(1) learners_next=(3) autoleave");
  }

  @Test
  void committedUsesMatchAndTreatsMissingProgressAsZero() {
    add(1, 10, false);
    add(2, 7, false);
    add(3, 4, false);
    add(4, 100, true);
    assertThat(t.committed()).isEqualTo(7);
    t.progress().remove(2L);
    assertThat(t.committed()).isEqualTo(4);
    t.config().voters().outgoing().add(1);
    t.config().voters().outgoing().add(5);
    assertThat(t.committed()).isZero();
  }

  @Test
  void emptyConfigCommitsEverything() {
    assertThat(t.committed()).isEqualTo(-1L);
    assertThat(t.isSingleton()).isFalse();
  }

  @Test
  void isSingleton() {
    add(1, 0, false);
    add(2, 0, true);
    assertThat(t.isSingleton()).isTrue();
    t.config().voters().outgoing().add(1);
    assertThat(t.isSingleton()).isFalse();
  }

  @Test
  void quorumActiveIgnoresLearners() {
    add(1, 0, false).setRecentActive(true);
    add(2, 0, false).setRecentActive(false);
    add(3, 0, false).setRecentActive(false);
    add(4, 0, true).setRecentActive(true);
    add(5, 0, true).setRecentActive(true);
    assertThat(t.quorumActive()).isFalse();
    t.progress().get(2L).setRecentActive(true);
    assertThat(t.quorumActive()).isTrue();
  }

  @Test
  void votesAreTalliedOverVotersAndTheFirstVoteCounts() {
    add(1, 0, false);
    add(2, 0, false);
    add(3, 0, false);
    add(4, 0, true);
    t.recordVote(1, true);
    t.recordVote(1, false);
    t.recordVote(4, false);
    assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(1, 0, VoteResult.PENDING));
    t.recordVote(2, false);
    t.recordVote(3, false);
    assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(1, 2, VoteResult.LOST));
    t.resetVotes();
    t.recordVote(2, true);
    t.recordVote(3, true);
    assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(2, 0, VoteResult.WON));
  }

  @Test
  void visitGoesInAscendingUnsignedOrder() {
    add(HIGH, 0, false);
    add(3, 0, false);
    add(1, 0, true);
    List<Long> seen = new ArrayList<>();
    t.visit((id, pr) -> seen.add(id));
    assertThat(seen).containsExactly(1L, 3L, HIGH);
  }

  @Test
  void progressMapPrintsDecimalIdsAndCopiesDeeply() {
    add(12, 3, false);
    add(2, 0, true).setRecentActive(false);
    ProgressMap copy = t.progress().copy();
    t.progress().get(12L).maybeUpdate(5);
    assertThat(copy)
        .hasToString(
            "2: StateProbe match=0 next=1 learner inactive\n12: StateProbe match=3 next=4\n");
  }

  @Test
  void configCopyIsDeepAndEmptySetsAreNotPrinted() {
    add(1, 0, false);
    TrackerConfig c = t.config().copy();
    t.config().learners().add(9L);
    t.config().voters().incoming().add(2);
    assertThat(c).hasToString("voters=(1)");
    assertThat(new TrackerConfig()).hasToString("voters=()");
  }
}
