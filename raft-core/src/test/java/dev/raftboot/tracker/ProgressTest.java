package dev.raftboot.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProgressTest {

  private static Progress progress(long match, long next) {
    return new Progress(match, next, new Inflights(3, 0), false, true);
  }

  @Test
  void toStringShowsOnlyTheFlagsThatApply() {
    Progress p = progress(11, 12);
    assertThat(p).hasToString("StateProbe match=11 next=12");
    p.becomeReplicate();
    p.sentEntries(1, 1);
    p.sentEntries(1, 1);
    p.sentEntries(1, 1);
    assertThat(p).hasToString("StateReplicate match=11 next=15 paused inflight=3[full]");
    p.inflights().freeLE(13);
    p.setMsgAppFlowPaused(false);
    assertThat(p).hasToString("StateReplicate match=11 next=15 inflight=1");

    Progress s = progress(0, 1);
    s.becomeSnapshot(11);
    assertThat(s).hasToString("StateSnapshot match=0 next=12 paused pendingSnap=11");

    Progress q = new Progress(0, 11, new Inflights(3, 0), true, false);
    q.setMsgAppFlowPaused(true);
    assertThat(q).hasToString("StateProbe match=0 next=11 learner paused inactive");
  }

  @Test
  void isPausedDependsOnState() {
    Progress p = progress(1, 2);
    assertThat(p.isPaused()).isFalse();
    p.setMsgAppFlowPaused(true);
    assertThat(p.isPaused()).isTrue();
    p.becomeReplicate();
    assertThat(p.isPaused()).isFalse();
    p.setMsgAppFlowPaused(true);
    assertThat(p.isPaused()).isTrue();
    p.becomeSnapshot(5);
    assertThat(p.msgAppFlowPaused()).isFalse();
    assertThat(p.isPaused()).isTrue();
  }

  @Test
  void becomeProbeFromSnapshotStartsAfterTheSnapshot() {
    Progress p = progress(1, 5);
    p.becomeSnapshot(10);
    p.becomeProbe();
    assertThat(p.state()).isEqualTo(ProgressState.PROBE);
    assertThat(p.next()).isEqualTo(11);
    assertThat(p.pendingSnapshot()).isZero();
    assertThat(p.sentCommit()).isEqualTo(10);

    Progress q = progress(20, 21);
    q.becomeSnapshot(10);
    q.becomeProbe();
    assertThat(q.next()).isEqualTo(21);
  }

  @Test
  void becomeProbeFromReplicateRestartsAfterMatchAndClampsSentCommit() {
    Progress p = progress(5, 6);
    p.becomeReplicate();
    p.sentEntries(4, 10);
    p.sentCommit(9);
    p.setMsgAppFlowPaused(true);
    p.becomeProbe();
    assertThat(p.next()).isEqualTo(6);
    assertThat(p.sentCommit()).isEqualTo(5);
    assertThat(p.inflights().count()).isZero();
    assertThat(p.msgAppFlowPaused()).isFalse();
  }

  @Test
  void becomeReplicateAndBecomeSnapshot() {
    Progress p = progress(5, 9);
    p.setMsgAppFlowPaused(true);
    p.becomeReplicate();
    assertThat(p.state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(p.next()).isEqualTo(6);
    assertThat(p.msgAppFlowPaused()).isFalse();

    p.becomeSnapshot(20);
    assertThat(p.state()).isEqualTo(ProgressState.SNAPSHOT);
    assertThat(p.pendingSnapshot()).isEqualTo(20);
    assertThat(p.next()).isEqualTo(21);
    assertThat(p.sentCommit()).isEqualTo(20);
  }

  @Test
  void sentEntriesPerState() {
    Progress p = progress(0, 1);
    p.sentEntries(0, 0);
    assertThat(p.msgAppFlowPaused()).isFalse();
    p.sentEntries(2, 10);
    assertThat(p.msgAppFlowPaused()).isTrue();
    assertThat(p.next()).isEqualTo(1);

    p.becomeReplicate();
    p.sentEntries(2, 10);
    assertThat(p.next()).isEqualTo(3);
    assertThat(p.inflights().count()).isEqualTo(1);
    p.sentEntries(0, 0);
    assertThat(p.inflights().count()).isEqualTo(1);
    assertThat(p.msgAppFlowPaused()).isFalse();

    p.becomeSnapshot(5);
    assertThatThrownBy(() -> p.sentEntries(1, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void canBumpCommit() {
    Progress p = progress(0, 5);
    p.sentCommit(3);
    assertThat(p.canBumpCommit(3)).isFalse();
    assertThat(p.canBumpCommit(4)).isTrue();
    p.sentCommit(4);
    assertThat(p.canBumpCommit(10)).isFalse();
  }

  @Test
  void maybeUpdate() {
    Progress p = progress(5, 10);
    p.setMsgAppFlowPaused(true);
    assertThat(p.maybeUpdate(4)).isFalse();
    assertThat(p.maybeUpdate(5)).isFalse();
    assertThat(p.msgAppFlowPaused()).isTrue();
    assertThat(p.maybeUpdate(6)).isTrue();
    assertThat(p.match()).isEqualTo(6);
    assertThat(p.next()).isEqualTo(10);
    assertThat(p.msgAppFlowPaused()).isFalse();
    assertThat(p.maybeUpdate(12)).isTrue();
    assertThat(p.next()).isEqualTo(13);
  }

  @Test
  void maybeDecrToInReplicate() {
    Progress p = progress(5, 6);
    p.becomeReplicate();
    p.sentEntries(5, 1);
    p.sentCommit(9);
    assertThat(p.maybeDecrTo(5, 5)).as("stale: at or below match").isFalse();
    assertThat(p.next()).isEqualTo(11);
    assertThat(p.maybeDecrTo(8, 0)).isTrue();
    assertThat(p.next()).isEqualTo(6);
    assertThat(p.sentCommit()).isEqualTo(5);
  }

  @Test
  void maybeDecrToInProbe() {
    Progress p = progress(0, 10);
    p.setMsgAppFlowPaused(true);
    assertThat(p.maybeDecrTo(5, 5)).as("not the last probe").isFalse();
    assertThat(p.msgAppFlowPaused()).isTrue();
    assertThat(p.maybeDecrTo(9, 3)).isTrue();
    assertThat(p.next()).isEqualTo(4);
    assertThat(p.msgAppFlowPaused()).isFalse();

    Progress q = progress(0, 10);
    assertThat(q.maybeDecrTo(9, 100)).as("hint above rejected").isTrue();
    assertThat(q.next()).isEqualTo(9);

    Progress r = progress(6, 10);
    r.sentCommit(8);
    assertThat(r.maybeDecrTo(9, 2)).as("never below match+1").isTrue();
    assertThat(r.next()).isEqualTo(7);
    assertThat(r.sentCommit()).isEqualTo(6);
  }

  @Test
  void copyIsDeep() {
    Progress p = progress(1, 2);
    p.becomeReplicate();
    p.sentEntries(1, 1);
    Progress c = p.copy();
    p.inflights().freeLE(2);
    p.maybeUpdate(2);
    assertThat(c).hasToString("StateReplicate match=1 next=3 inflight=1");
    assertThat(p).hasToString("StateReplicate match=2 next=3");
  }
}
