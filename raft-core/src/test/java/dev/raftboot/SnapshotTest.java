package dev.raftboot;

import static dev.raftboot.RaftTestKit.allEntries;
import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.persistAndApply;
import static dev.raftboot.RaftTestKit.prop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.snapshot;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.voters;
import static dev.raftboot.RaftTestKit.votersAndLearners;
import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.tracker.Progress;
import dev.raftboot.tracker.ProgressState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Log compaction and snapshots (paper section 7): when a follower needs entries the leader has
 * compacted, the leader sends its snapshot and pauses replication to that follower until the
 * outcome is known; followers restore snapshots (including the configuration they carry), ignore
 * stale ones, and fast-forward their commit index when they already have the snapshot's entries.
 */
class SnapshotTest {

  private static final ConfState CS12 = voters(1, 2);

  /**
   * Leader 1 of {1, 2} at term 1 whose storage starts with a snapshot at (11, 11): every entry up
   * to 11 is compacted, and the new term's empty entry is 12.
   */
  private static Raft leaderWithCompactedLog() {
    TestStorage s = storage(1, 2);
    s.mem.applySnapshot(snapshot(11, 11, CS12));
    Raft r = newRaft(1, 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    assertThat(r.raftLog.firstIndex()).isEqualTo(12);
    return r;
  }

  private static Progress pr(Raft r, long id) {
    return r.trk.progress().get(id);
  }

  /** Lets the follower reject a probe at the compacted boundary, which forces a snapshot. */
  private static List<Message> needSnapshot(Raft r) {
    pr(r, 2).setNext(r.raftLog.firstIndex());
    r.step(
        appResp(2, 1, r.term, r.raftLog.firstIndex() - 1)
            .toBuilder()
            .setReject(true)
            .setRejectHint(0)
            .build());
    return readMessages(r);
  }

  // --- sending -----------------------------------------------------------------------------------

  /**
   * When the entries a follower needs are compacted, the leader sends the storage's snapshot and
   * marks it pending: progress moves to snapshot state, next continues after the snapshot.
   */
  @Test
  void compactedEntriesAreReplacedByTheSnapshot() {
    Raft r = leaderWithCompactedLog();
    List<Message> msgs = needSnapshot(r);
    assertThat(msgs).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgSnap);
      assertThat(m.getTo()).isEqualTo(2);
      assertThat(m.getTerm()).isEqualTo(1);
      assertThat(m.getSnapshot().getMetadata().getIndex()).isEqualTo(11);
      assertThat(m.getSnapshot().getMetadata().getTerm()).isEqualTo(11);
    });
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.SNAPSHOT);
    assertThat(pr(r, 2).pendingSnapshot()).isEqualTo(11);
    assertThat(pr(r, 2).next()).isEqualTo(12);
  }

  /** A follower not heard from recently does not get a snapshot (it may be down). */
  @Test
  void inactiveFollowerGetsNoSnapshot() {
    Raft r = leaderWithCompactedLog();
    pr(r, 2).setNext(1);
    pr(r, 2).setRecentActive(false);
    r.sendAppend(2);
    assertThat(readMessages(r)).isEmpty();
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr(r, 2).pendingSnapshot()).isZero();
  }

  /** While the snapshot is pending, proposals are not replicated to that follower. */
  @Test
  void pendingSnapshotPausesReplication() {
    Raft r = leaderWithCompactedLog();
    needSnapshot(r);
    r.step(prop(1, "somedata"));
    r.step(prop(1, "somedata"));
    assertThat(readMessages(r)).isEmpty();
    assertThat(pr(r, 2).isPaused()).isTrue();
  }

  /**
   * A failed snapshot is forgotten: the follower is probed again from just after match, after the
   * next heartbeat response — which, the entries being compacted still, means another snapshot.
   */
  @Test
  void failedSnapshotRestartsProbing() {
    Raft r = leaderWithCompactedLog();
    needSnapshot(r);
    r.step(msg(2, 1, MessageType.MsgSnapStatus).toBuilder().setReject(true).build());
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr(r, 2).pendingSnapshot()).isZero();
    assertThat(pr(r, 2).next()).isEqualTo(1);
    assertThat(pr(r, 2).msgAppFlowPaused()).isTrue();
    r.step(prop(1, "x"));
    assertThat(readMessages(r)).isEmpty();
    r.step(msg(2, 1, MessageType.MsgHeartbeatResp, 1));
    assertThat(readMessages(r)).singleElement()
        .satisfies(m -> assertThat(m.getType()).isEqualTo(MessageType.MsgSnap));
  }

  /**
   * A successful snapshot means the follower has everything up to it: probing resumes right after
   * the snapshot, once the follower answers.
   */
  @Test
  void successfulSnapshotResumesAfterIt() {
    Raft r = leaderWithCompactedLog();
    needSnapshot(r);
    r.step(msg(2, 1, MessageType.MsgSnapStatus));
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr(r, 2).next()).isEqualTo(12);
    assertThat(pr(r, 2).msgAppFlowPaused()).isTrue();
    r.step(msg(2, 1, MessageType.MsgHeartbeatResp, 1));
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgApp);
      assertThat(m.getIndex()).isEqualTo(11);
      assertThat(m.getLogTerm()).isEqualTo(11);
      assertThat(m.getEntriesCount()).isEqualTo(1);
    });
  }

  /** Snapshot reports about a follower that is not in snapshot state are ignored. */
  @Test
  void snapshotStatusOutsideSnapshotStateIsIgnored() {
    Raft r = leaderWithCompactedLog();
    Progress before = pr(r, 2).copy();
    r.step(msg(2, 1, MessageType.MsgSnapStatus).toBuilder().setReject(true).build());
    assertThat(pr(r, 2).state()).isEqualTo(before.state());
    assertThat(pr(r, 2).next()).isEqualTo(before.next());
    assertThat(pr(r, 2).msgAppFlowPaused()).isFalse();
  }

  /**
   * Any acknowledgement that lets replication continue from the log ends the snapshot state, even
   * before the snapshot report: the follower caught up some other way (a newer snapshot, say).
   * One that leaves a gap before the first log entry does not.
   */
  @ParameterizedTest(name = "ack {0} -> {1}")
  @CsvSource({"10, SNAPSHOT, 10, 12", "11, REPLICATE, 11, 13", "12, REPLICATE, 12, 13"})
  void acknowledgementAbortsSnapshotWhenLogSuffices(
      long ack, ProgressState want, long wantMatch, long wantNext) {
    Raft r = leaderWithCompactedLog();
    needSnapshot(r);
    r.step(appResp(2, 1, 1, ack));
    readMessages(r);
    assertThat(pr(r, 2).state()).isEqualTo(want);
    assertThat(pr(r, 2).match()).isEqualTo(wantMatch);
    assertThat(pr(r, 2).next()).isEqualTo(wantNext);
    if (want == ProgressState.REPLICATE) {
      assertThat(pr(r, 2).pendingSnapshot()).isZero();
    }
  }

  // --- restoring ---------------------------------------------------------------------------------

  /** Restoring replaces the log by the snapshot and adopts its configuration. */
  @Test
  void restoreAdoptsLogPositionAndConfiguration() {
    Raft r = newRaft(1, 10, 1, storage(1, 2));
    Snapshot snap = snapshot(11, 11, voters(1, 2, 3));
    assertThat(r.restore(snap)).isTrue();
    assertThat(r.raftLog.lastIndex()).isEqualTo(11);
    assertThat(r.raftLog.term(11)).isEqualTo(11);
    assertThat(r.raftLog.committed).isEqualTo(11);
    assertThat(r.trk.voterNodes()).containsExactly(1, 2, 3);
    assertThat(r.raftLog.nextUnstableSnapshot()).isEqualTo(snap);
    // Not again: it is no longer newer than our commit index.
    assertThat(r.restore(snap)).isFalse();
  }

  /** A snapshot's configuration may turn this node into a learner, or a learner into a voter. */
  @ParameterizedTest(name = "initially learner={0}, in snapshot learner={1}")
  @CsvSource({"false, true", "true, false", "true, true", "false, false"})
  void restoreAppliesOwnMembershipChange(boolean wasLearner, boolean becomesLearner) {
    ConfState initial =
        wasLearner
            ? votersAndLearners(new long[] {1, 2}, new long[] {3})
            : voters(1, 2, 3);
    ConfState inSnap =
        becomesLearner
            ? votersAndLearners(new long[] {1, 2}, new long[] {3})
            : voters(1, 2, 3);
    Raft r = newRaft(3, 10, 1, storage(initial));
    assertThat(r.isLearner).isEqualTo(wasLearner);
    assertThat(r.restore(snapshot(11, 11, inSnap))).isTrue();
    assertThat(r.isLearner).isEqualTo(becomesLearner);
    assertThat(r.promotable()).isFalse(); // a snapshot is pending
    assertThat(pr(r, 3).isLearner()).isEqualTo(becomesLearner);
    assertThat(r.trk.learnerNodes()).containsExactly(becomesLearner ? new long[] {3} : new long[0]);
    persistAndApply(r);
    assertThat(r.promotable()).isEqualTo(!becomesLearner);
  }

  /** A snapshot taken in a joint configuration restores the joint configuration. */
  @Test
  void restoreJointConfiguration() {
    ConfState joint =
        ConfState.newBuilder()
            .addVoters(2)
            .addVoters(3)
            .addVoters(4)
            .addVotersOutgoing(1)
            .addVotersOutgoing(2)
            .addVotersOutgoing(3)
            .addLearnersNext(1)
            .setAutoLeave(false)
            .build();
    Raft r = newRaft(1, 10, 1, storage(1, 2, 3));
    assertThat(r.restore(snapshot(11, 11, joint))).isTrue();
    assertThat(r.trk.config().voters().isJoint()).isTrue();
    assertThat(r.trk.config().voters().incoming().ids()).containsExactly(2L, 3L, 4L);
    assertThat(r.trk.config().voters().outgoing().ids()).containsExactly(1L, 2L, 3L);
    assertThat(r.trk.config().learnersNext()).containsExactly(1L);
    assertThat(r.trk.confState()).isEqualTo(joint);
  }

  /** A snapshot whose configuration does not include this node is refused. */
  @Test
  void snapshotWithoutThisNodeIsRefused() {
    Raft r = newRaft(3, 10, 1, storage(1, 2, 3));
    assertThat(r.restore(snapshot(11, 11, voters(1, 2)))).isFalse();
    assertThat(r.raftLog.lastIndex()).isZero();
    assertThat(r.trk.voterNodes()).containsExactly(1, 2, 3);
  }

  /** A leader never restores a snapshot; the defensive path makes it a follower of a new term. */
  @Test
  void leaderRefusesToRestore() {
    Raft r = newRaft(1, 10, 1, storage(1, 2));
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    assertThat(r.restore(snapshot(11, 11, CS12))).isFalse();
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(2);
    assertThat(r.raftLog.lastIndex()).isEqualTo(1);
  }

  /**
   * Snapshots that bring nothing new: one at or below the commit index is ignored; one whose last
   * entry is already in the log just fast-forwards the commit index and keeps the log.
   */
  @ParameterizedTest(name = "commit {0}, snapshot ({1},{2}) -> restored={3}, commit {4}, last {5}")
  @CsvSource({
    "3, 2, 1, false, 3, 3",
    "3, 3, 1, false, 3, 3",
    "1, 3, 1, false, 3, 3",
    "1, 2, 1, false, 2, 3",
    "1, 3, 2, true, 3, 3",
    "1, 5, 2, true, 5, 5",
  })
  void staleOrKnownSnapshotsAreNotRestored(
      long commit, long index, long term, boolean restored, long wantCommit, long wantLast) {
    TestStorage s = storage(1, 2).withTerms(1, 1, 1).withHardState(1, 0, commit);
    Raft r = newRaft(1, 10, 1, s);
    assertThat(r.restore(snapshot(index, term, CS12))).isEqualTo(restored);
    assertThat(r.raftLog.committed).isEqualTo(wantCommit);
    assertThat(r.raftLog.lastIndex()).isEqualTo(wantLast);
    assertThat(r.raftLog.hasNextUnstableSnapshot()).isEqualTo(restored);
    if (!restored) {
      assertThat(RaftTestKit.ids(allEntries(r))).containsExactly("1/1", "2/1", "3/1");
    }
  }

  /**
   * A MsgSnap makes the receiver follow the sender and restore; the answer acknowledges the whole
   * snapshot. A useless snapshot is answered with the commit index instead.
   */
  @Test
  void snapshotMessageIsRestoredAndAcknowledged() {
    Raft r = newRaft(2, 10, 1, storage(1, 2));
    Message snapMsg =
        msg(1, 2, MessageType.MsgSnap, 2).toBuilder().setSnapshot(snapshot(11, 11, CS12)).build();
    r.step(snapMsg);
    assertThat(r.lead).isEqualTo(1);
    assertThat(r.term).isEqualTo(2);
    assertThat(r.raftLog.committed).isEqualTo(11);
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgAppResp);
      assertThat(m.getIndex()).isEqualTo(11);
      assertThat(m.getReject()).isFalse();
    });
    r.step(msg(1, 2, MessageType.MsgSnap, 2).toBuilder().setSnapshot(snapshot(5, 5, CS12)).build());
    assertThat(readMessages(r)).singleElement()
        .satisfies(m -> assertThat(m.getIndex()).isEqualTo(11));
  }

  /** A candidate receiving a snapshot from the leader of its term follows it and restores. */
  @Test
  void candidateRestoresSnapshotFromLeaderOfItsTerm() {
    Raft r = newRaft(2, 10, 1, storage(1, 2));
    r.becomeCandidate();
    readMessages(r);
    r.step(msg(1, 2, MessageType.MsgSnap, 1).toBuilder().setSnapshot(snapshot(11, 11, CS12)).build());
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.lead).isEqualTo(1);
    assertThat(r.raftLog.lastIndex()).isEqualTo(11);
  }

  /**
   * End to end: a node partitioned while the leader made progress and compacted its log catches up
   * through a snapshot and then through ordinary appends.
   */
  @Test
  void slowNodeCatchesUpThroughSnapshot() {
    Network net = Network.of(3);
    net.campaign(1);
    net.isolate(3);
    for (int i = 0; i < 100; i++) {
      net.propose(1, "p" + i);
    }
    Raft leader = net.node(1);
    persistAndApply(leader);
    long applied = leader.raftLog.applied;
    assertThat(applied).isEqualTo(101);
    MemoryStorage ls = net.storages.get(1L).mem;
    ls.createSnapshot(applied, leader.trk.confState(), RaftTestKit.bytes("state"));
    ls.compact(applied);
    net.recover();
    net.send(msg(1, 1, MessageType.MsgBeat));
    Raft slow = net.node(3);
    assertThat(slow.raftLog.hasNextUnstableSnapshot()).isTrue();
    assertThat(slow.raftLog.committed).isEqualTo(101);
    assertThat(leader.trk.progress().get(3L).state()).isEqualTo(ProgressState.REPLICATE);
    net.propose(1, "after");
    assertThat(slow.raftLog.lastIndex()).isEqualTo(102);
    assertThat(slow.raftLog.committed).isEqualTo(leader.raftLog.committed).isEqualTo(102);
  }
}
