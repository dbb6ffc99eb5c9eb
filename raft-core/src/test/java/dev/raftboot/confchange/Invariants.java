package dev.raftboot.confchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.tracker.ProgressMap;
import dev.raftboot.tracker.TrackerConfig;
import java.util.Collections;
import java.util.TreeSet;

/** The consistency rules between a membership and its progress map, checked from the outside. */
final class Invariants {

  private Invariants() {}

  static void check(TrackerConfig cfg, ProgressMap trk) {
    TreeSet<Long> members = new TreeSet<>(cfg.voters().ids());
    members.addAll(cfg.learners());
    members.addAll(cfg.learnersNext());
    assertThat(trk.keySet()).as("progress exactly for members").isEqualTo(members);
    for (long id : cfg.learners()) {
      assertThat(cfg.voters().ids()).as("learner %d is no voter", id).doesNotContain(id);
    }
    assertThat(cfg.voters().outgoing().ids().containsAll(cfg.learnersNext()))
        .as("staged learners are outgoing voters")
        .isTrue();
    assertThat(Collections.disjoint(cfg.voters().incoming().ids(), cfg.learnersNext()))
        .as("staged learners are no incoming voters")
        .isTrue();
    trk.forEach(
        (id, pr) ->
            assertThat(pr.isLearner())
                .as("learner flag of %d", id)
                .isEqualTo(cfg.learners().contains(id)));
    if (!cfg.voters().isJoint()) {
      assertThat(cfg.learnersNext()).isEmpty();
      assertThat(cfg.autoLeave()).isFalse();
    }
    if (!members.isEmpty()) {
      assertThat(cfg.voters().incoming().isEmpty()).as("some voter remains").isFalse();
    }
  }
}
