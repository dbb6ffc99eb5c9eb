package dev.raftboot.spring.faults;

import static dev.raftboot.spring.faults.ApplyOnceCheck.Outcome.APPLIED;
import static dev.raftboot.spring.faults.ApplyOnceCheck.Outcome.NOT_APPLIED;
import static dev.raftboot.spring.faults.ApplyOnceCheck.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The apply-once check on hand-made outcomes and applied lists: it passes and it can fail. */
class ApplyOnceCheckTests {

  private static final Map<String, ApplyOnceCheck.Outcome> OUTCOMES =
      Map.of("w1", APPLIED, "w2", NOT_APPLIED, "w3", UNKNOWN, "w4", UNKNOWN);

  @Test
  void passesWhenEveryNodeAppliedEachWriteAtMostOnce() {
    List<String> log = List.of("w1", "w3");
    assertThat(ApplyOnceCheck.problems(OUTCOMES, Map.of(1L, log, 2L, log, 3L, log))).isEmpty();
  }

  @Test
  void rejectsAWriteAppliedTwice() {
    // What a retry without an idempotency key does: the unknown w3 was applied, and so was its retry.
    List<String> log = List.of("w1", "w3", "w3");
    assertThat(ApplyOnceCheck.problems(OUTCOMES, Map.of(1L, log, 2L, log)))
        .containsExactlyInAnyOrder("node 1: write w3 applied more than once", "node 2: write w3 applied more than once");
  }

  @Test
  void rejectsALostAcknowledgedWriteAndAWrongNotApplied() {
    assertThat(ApplyOnceCheck.problems(OUTCOMES, Map.of(1L, List.of("w2", "w3"))))
        .containsExactlyInAnyOrder(
            "node 1: acknowledged write w1 not applied",
            "node 1: write w2 applied although its client heard not applied");
  }

  @Test
  void rejectsNodesThatDisagree() {
    assertThat(ApplyOnceCheck.problems(OUTCOMES, new java.util.TreeMap<>(Map.of(
            1L, List.of("w1", "w3"), 2L, List.of("w3", "w1")))))
        .containsExactly("nodes 1 and 2 applied different writes or orders (2 and 2 writes)");
  }
}
