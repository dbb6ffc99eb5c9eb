package dev.raftboot.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The leader's view of one follower: state transitions, updates, decrements and pausing. */
class ProgressTest {

  private static Progress progress(ProgressState state, long match, long next) {
    Progress p = new Progress(match, next, new Inflights(256, 0), false, true);
    switch (state) {
      case PROBE -> p.becomeProbe();
      case REPLICATE -> p.becomeReplicate();
      case SNAPSHOT -> p.becomeSnapshot(next - 1);
    }
    p.setMatch(match);
    p.setNext(next);
    return p;
  }

  @Test
  void pausedByState() {
    Progress probe = progress(ProgressState.PROBE, 0, 1);
    assertThat(probe.isPaused()).isFalse();
    probe.setMsgAppFlowPaused(true);
    assertThat(probe.isPaused()).isTrue();
    Progress replicate = progress(ProgressState.REPLICATE, 0, 1);
    assertThat(replicate.isPaused()).isFalse();
    replicate.setMsgAppFlowPaused(true);
    assertThat(replicate.isPaused()).isTrue();
    assertThat(progress(ProgressState.SNAPSHOT, 0, 1).isPaused()).isTrue();
  }

  /** Entering probe restarts after match, or after a pending snapshot if that is further. */
  @ParameterizedTest(name = "{0} match {1} pendingSnap {2} -> next {3}")
  @CsvSource({
    "REPLICATE, 1, 0, 2",
    "PROBE, 5, 0, 6",
    "SNAPSHOT, 1, 10, 11",
    "SNAPSHOT, 12, 10, 13",
  })
  void becomeProbe(ProgressState from, long match, long pendingSnapshot, long wantNext) {
    Progress p = new Progress(match, 5, new Inflights(256, 0), false, true);
    if (from == ProgressState.SNAPSHOT) {
      p.becomeSnapshot(pendingSnapshot);
    } else if (from == ProgressState.REPLICATE) {
      p.becomeReplicate();
    }
    p.setMatch(match);
    p.inflights().add(match + 1, 1);
    p.becomeProbe();
    assertThat(p.state()).isEqualTo(ProgressState.PROBE);
    assertThat(p.next()).isEqualTo(wantNext);
    assertThat(p.pendingSnapshot()).isZero();
    assertThat(p.inflights().count()).isZero();
    assertThat(p.msgAppFlowPaused()).isFalse();
  }

  @Test
  void becomeReplicateAndSnapshot() {
    Progress p = new Progress(1, 5, new Inflights(256, 0), false, true);
    p.becomeReplicate();
    assertThat(p.state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(p.next()).isEqualTo(2);
    p.becomeSnapshot(10);
    assertThat(p.state()).isEqualTo(ProgressState.SNAPSHOT);
    assertThat(p.pendingSnapshot()).isEqualTo(10);
    assertThat(p.next()).isEqualTo(11);
    assertThat(p.match()).isEqualTo(1);
  }

  /** An acknowledgement raises match (and next if needed) only if it is newer, and unpauses. */
  @ParameterizedTest(name = "match 3 next 5, ack {0} -> {1}, match {2} next {3}")
  @CsvSource({
    "2, false, 3, 5",
    "3, false, 3, 5",
    "4, true, 4, 5",
    "5, true, 5, 6",
    "7, true, 7, 8",
  })
  void maybeUpdate(long ack, boolean updated, long match, long next) {
    Progress p = new Progress(3, 5, new Inflights(256, 0), false, true);
    p.setMsgAppFlowPaused(true);
    assertThat(p.maybeUpdate(ack)).isEqualTo(updated);
    assertThat(p.match()).isEqualTo(match);
    assertThat(p.next()).isEqualTo(next);
    assertThat(p.msgAppFlowPaused()).isEqualTo(!updated);
  }

  /**
   * A rejection moves next back: when replicating, to right after match (unless the rejection is
   * stale); when probing, towards the hint but only for the probe in flight.
   */
  @ParameterizedTest(name = "{0} match {1} next {2}: reject {3} hint {4} -> {5}, next {6}")
  @CsvSource({
    "REPLICATE, 5, 10, 5, 5, false, 10",
    "REPLICATE, 5, 10, 4, 4, false, 10",
    "REPLICATE, 5, 10, 9, 9, true, 6",
    "PROBE, 0, 0, 0, 0, false, 0",
    "PROBE, 5, 10, 5, 5, false, 10",
    "PROBE, 0, 10, 9, 9, true, 9",
    "PROBE, 0, 2, 1, 1, true, 1",
    "PROBE, 0, 10, 9, 2, true, 3",
    "PROBE, 0, 10, 9, 100, true, 9",
    "PROBE, 3, 10, 9, 0, true, 4",
  })
  void maybeDecrTo(
      ProgressState state,
      long match,
      long next,
      long rejected,
      long hint,
      boolean want,
      long wantNext) {
    Progress p = progress(state, match, next);
    p.setMsgAppFlowPaused(true);
    assertThat(p.maybeDecrTo(rejected, hint)).isEqualTo(want);
    assertThat(p.next()).isEqualTo(wantNext);
    assertThat(p.match()).isEqualTo(match);
    if (want && state == ProgressState.PROBE) {
      assertThat(p.msgAppFlowPaused()).isFalse();
    }
  }

  @Test
  void sentEntriesByState() {
    Progress probe = progress(ProgressState.PROBE, 0, 1);
    probe.sentEntries(0, 0);
    assertThat(probe.msgAppFlowPaused()).isFalse();
    probe.sentEntries(2, 10);
    assertThat(probe.msgAppFlowPaused()).isTrue();
    assertThat(probe.next()).isEqualTo(1);

    Progress replicate = new Progress(0, 1, new Inflights(2, 0), false, true);
    replicate.becomeReplicate();
    replicate.sentEntries(3, 10);
    assertThat(replicate.next()).isEqualTo(4);
    assertThat(replicate.inflights().count()).isEqualTo(1);
    assertThat(replicate.msgAppFlowPaused()).isFalse();
    replicate.sentEntries(1, 10);
    assertThat(replicate.msgAppFlowPaused()).isTrue();

    Progress snap = progress(ProgressState.SNAPSHOT, 0, 5);
    assertThatThrownBy(() -> snap.sentEntries(1, 1)).isInstanceOf(IllegalStateException.class);
  }

  /** The commit index is worth sending when it is newer and the follower may lag behind it. */
  @Test
  void canBumpCommit() {
    Progress p = new Progress(0, 6, new Inflights(256, 0), false, true);
    p.sentCommit(3);
    assertThat(p.canBumpCommit(3)).isFalse();
    assertThat(p.canBumpCommit(4)).isTrue();
    p.sentCommit(5);
    assertThat(p.canBumpCommit(6)).isFalse();
  }

  @Test
  void describes() {
    Progress p = new Progress(1, 2, new Inflights(2, 0), true, false);
    p.becomeReplicate();
    p.sentEntries(1, 1);
    p.sentEntries(1, 1);
    assertThat(p.toString())
        .isEqualTo("StateReplicate match=1 next=4 learner paused inactive inflight=2[full]");
    Progress s = new Progress(3, 4, new Inflights(2, 0), false, true);
    s.becomeSnapshot(9);
    assertThat(s.toString()).isEqualTo("StateSnapshot match=3 next=10 paused pendingSnap=9");
  }
}
