package dev.raftboot;

import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.electAndCommitNoop;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.persistAndApply;
import static dev.raftboot.RaftTestKit.prop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.votersAndLearners;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.confchange.ConfChangeException;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeTransition;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Membership changes: adding and removing voters and learners, promotion and demotion, joint
 * consensus entered and left automatically or explicitly, the propose-time validation (one
 * change in flight, joint-state rules) and its switch DisableConfChangeValidation, and
 * StepDownOnRemoval. Changes take effect when applied, never when proposed.
 */
class ConfChangeTest {

  private static ConfChangeSingle single(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  private static ConfChangeV2 v2(ConfChangeTransition tr, ConfChangeSingle... changes) {
    ConfChangeV2.Builder b = ConfChangeV2.newBuilder().setTransition(tr);
    for (ConfChangeSingle c : changes) {
      b.addChanges(c);
    }
    return b.build();
  }

  private static ConfChangeV2 simple(ConfChangeType t, long id) {
    return v2(ConfChangeTransition.ConfChangeTransitionAuto, single(t, id));
  }

  private static Message proposeV1(ConfChangeType t, long id) {
    ConfChange cc = ConfChange.newBuilder().setType(t).setNodeId(id).build();
    return Raft.confChangeToMsg(EntryType.EntryConfChange, cc.toByteString())
        .toBuilder()
        .setFrom(1)
        .setTo(1)
        .build();
  }

  private static Message proposeV2(ConfChangeV2 cc) {
    return Raft.confChangeToMsg(EntryType.EntryConfChangeV2, cc.toByteString())
        .toBuilder()
        .setFrom(1)
        .setTo(1)
        .build();
  }

  private static Entry lastEntry(Raft r) {
    List<Entry> all = RaftTestKit.allEntries(r);
    return all.get(all.size() - 1);
  }

  /** Applies committed entries and delivers messages on every node until nothing moves. */
  private static void settle(Network net) {
    for (int round = 0; round < 50; round++) {
      boolean moved = false;
      for (Raft r : net.peers.values()) {
        if (!persistAndApply(r).isEmpty()) {
          moved = true;
        }
        List<Message> msgs = readMessages(r);
        if (!msgs.isEmpty()) {
          moved = true;
          net.send(msgs.toArray(Message[]::new));
        }
      }
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("network did not settle");
  }

  // --- applying single changes ----------------------------------------------------------------

  /**
   * Adding a voter creates its progress (probing from the end of the log) and the leader probes
   * it at once with its last entry.
   */
  @Test
  void addVoterIsProbedImmediately() {
    Raft r = newRaft(1, 10, 1, storage(1));
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    ConfState cs = r.applyConfChange(simple(ConfChangeType.ConfChangeAddNode, 2));
    assertThat(cs.getVotersList()).containsExactly(1L, 2L);
    assertThat(r.trk.voterNodes()).containsExactly(1, 2);
    assertThat(r.trk.progress().get(2L).isLearner()).isFalse();
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgApp);
      assertThat(m.getTo()).isEqualTo(2);
      assertThat(m.getIndex()).isZero();
      assertThat(m.getEntriesList()).extracting(Entry::getIndex).containsExactly(1L);
    });
  }

  /** Adding a learner: it gets a progress marked learner and replication, but no say in quorums. */
  @Test
  void addLearnerDoesNotChangeQuorum() {
    Raft r = electAndCommitNoop(newRaft(1, 10, 1, storage(1)));
    ConfState cs = r.applyConfChange(simple(ConfChangeType.ConfChangeAddLearnerNode, 2));
    assertThat(cs.getVotersList()).containsExactly(1L);
    assertThat(cs.getLearnersList()).containsExactly(2L);
    assertThat(r.trk.progress().get(2L).isLearner()).isTrue();
    readMessages(r);
    // The leader alone still commits.
    r.step(prop(1, "x"));
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(r.raftLog.lastIndex());
  }

  @Test
  void removeVoterAndLearner() {
    Raft r = newRaft(1, 10, 1, storage(votersAndLearners(new long[] {1, 2}, new long[] {3})));
    ConfState cs = r.applyConfChange(simple(ConfChangeType.ConfChangeRemoveNode, 2));
    assertThat(cs.getVotersList()).containsExactly(1L);
    assertThat(cs.getLearnersList()).containsExactly(3L);
    cs = r.applyConfChange(simple(ConfChangeType.ConfChangeRemoveNode, 3));
    assertThat(cs.getLearnersList()).isEmpty();
    assertThat(r.trk.progress().keySet()).containsExactly(1L);
  }

  /** Adding an existing learner as a voter promotes it; the node itself may campaign afterwards. */
  @Test
  void learnerPromotion() {
    Raft r = newRaft(2, 10, 1, storage(votersAndLearners(new long[] {1}, new long[] {2})));
    assertThat(r.isLearner).isTrue();
    assertThat(r.promotable()).isFalse();
    r.applyConfChange(simple(ConfChangeType.ConfChangeAddNode, 2));
    assertThat(r.isLearner).isFalse();
    assertThat(r.promotable()).isTrue();
    r.step(RaftTestKit.hup(2));
    assertThat(r.state).isEqualTo(StateType.CANDIDATE);
  }

  /** Demoting a voter to learner takes its vote and its ability to campaign. */
  @Test
  void voterDemotion() {
    Raft r = newRaft(2, 10, 1, storage(1, 2, 3));
    ConfState cs = r.applyConfChange(simple(ConfChangeType.ConfChangeAddLearnerNode, 2));
    assertThat(cs.getVotersList()).containsExactly(1L, 3L);
    assertThat(cs.getLearnersList()).containsExactly(2L);
    assertThat(r.isLearner).isTrue();
    assertThat(r.promotable()).isFalse();
  }

  /** Re-adding an existing voter, or a change naming node 0, changes nothing. */
  @Test
  void duplicateAddAndNoOpChangeLeaveConfigurationAlone() {
    Raft r = newRaft(1, 10, 1, storage(1, 2));
    ConfState before = r.trk.confState();
    assertThat(r.applyConfChange(simple(ConfChangeType.ConfChangeAddNode, 2))).isEqualTo(before);
    assertThat(r.applyConfChange(simple(ConfChangeType.ConfChangeAddNode, 0))).isEqualTo(before);
    assertThat(r.applyConfChange(simple(ConfChangeType.ConfChangeRemoveNode, 0))).isEqualTo(before);
  }

  /** Changes that the configuration rules forbid are rejected when applied. */
  @Test
  void invalidChangesFailWhenApplied() {
    Raft s = newRaft(1, 10, 1, storage(1));
    assertThatThrownBy(() -> s.applyConfChange(simple(ConfChangeType.ConfChangeRemoveNode, 1)))
        .isInstanceOf(ConfChangeException.class)
        .hasMessageContaining("removed all voters");
    assertThatThrownBy(() -> s.applyConfChange(ConfChangeV2.getDefaultInstance()))
        .isInstanceOf(ConfChangeException.class)
        .hasMessageContaining("can't leave a non-joint config");
    ConfChangeV2 enter =
        v2(
            ConfChangeTransition.ConfChangeTransitionAuto,
            single(ConfChangeType.ConfChangeAddNode, 2),
            single(ConfChangeType.ConfChangeAddNode, 3));
    s.applyConfChange(enter);
    assertThat(s.trk.config().voters().isJoint()).isTrue();
    assertThatThrownBy(() -> s.applyConfChange(enter))
        .isInstanceOf(ConfChangeException.class)
        .hasMessageContaining("config is already joint");
    assertThatThrownBy(() -> s.applyConfChange(simple(ConfChangeType.ConfChangeAddNode, 4)))
        .isInstanceOf(ConfChangeException.class)
        .hasMessageContaining("can't apply simple config change in joint config");
  }

  /** The node lists are sorted whatever order members were added in. */
  @Test
  void nodeListsAreSorted() {
    Raft r = newRaft(1, 10, 1, storage(1));
    for (long id : new long[] {5, 3, 9, 2}) {
      r.applyConfChange(simple(ConfChangeType.ConfChangeAddNode, id));
    }
    r.applyConfChange(simple(ConfChangeType.ConfChangeAddLearnerNode, 7));
    r.applyConfChange(simple(ConfChangeType.ConfChangeAddLearnerNode, 4));
    assertThat(r.trk.voterNodes()).containsExactly(1, 2, 3, 5, 9);
    assertThat(r.trk.learnerNodes()).containsExactly(4, 7);
  }

  // --- effect on commitment --------------------------------------------------------------------

  /**
   * Removing a voter that never acknowledged anything shrinks the quorum; entries that waited for
   * it commit as soon as the removal is applied.
   */
  @Test
  void removingLaggingVoterCommitsWaitingEntries() {
    Raft r = electAndCommitNoop(newRaft(1, 10, 1, storage(1, 2)));
    r.step(proposeV1(ConfChangeType.ConfChangeRemoveNode, 2));
    r.step(prop(1, "hello"));
    readMessages(r);
    long ccIndex = r.raftLog.lastIndex() - 1;
    // Node 2 acknowledges the conf change only, then falls silent.
    r.step(appResp(2, 1, r.term, ccIndex));
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(ccIndex);
    List<Entry> applied = persistAndApply(r);
    assertThat(applied).extracting(Entry::getType).containsExactly(EntryType.EntryConfChange);
    assertThat(r.trk.voterNodes()).containsExactly(1);
    assertThat(r.raftLog.committed).isEqualTo(ccIndex + 1);
    assertThat(RaftTestKit.payloads(persistAndApply(r))).containsExactly("hello");
  }

  // --- propose-time validation -----------------------------------------------------------------

  /**
   * One conf change at a time: while one may be unapplied, another proposal is kept as an empty
   * normal entry (indexes stay as proposed) and the pending index does not move. Once the first is
   * applied, the next is accepted.
   */
  @Test
  void secondConfChangeWaitsForFirstToBeApplied() {
    Raft r = electAndCommitNoop(newRaft(1, 3));
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 4));
    readMessages(r);
    assertThat(lastEntry(r).getType()).isEqualTo(EntryType.EntryConfChange);
    long first = r.raftLog.lastIndex();
    assertThat(r.pendingConfIndex).isEqualTo(first);
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 5));
    readMessages(r);
    Entry refused = lastEntry(r);
    assertThat(refused.getIndex()).isEqualTo(first + 1);
    assertThat(refused.getType()).isEqualTo(EntryType.EntryNormal);
    assertThat(refused.getData()).isEmpty();
    assertThat(r.pendingConfIndex).isEqualTo(first);
    // Commit and apply both, then try again.
    r.step(appResp(2, 1, r.term, r.raftLog.lastIndex()));
    readMessages(r);
    persistAndApply(r);
    assertThat(r.trk.voterNodes()).containsExactly(1, 2, 3, 4);
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 5));
    assertThat(lastEntry(r).getType()).isEqualTo(EntryType.EntryConfChange);
    assertThat(r.pendingConfIndex).isEqualTo(r.raftLog.lastIndex());
  }

  /** With validation disabled every conf change is appended as proposed. */
  @Test
  void disabledValidationAcceptsEveryChange() {
    Raft r =
        electAndCommitNoop(
            new Raft(config(1, 10, 1, storage(1, 2, 3)).disableConfChangeValidation(true)));
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 4));
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 5));
    // Leaving a joint config we are not in would be refused too.
    r.step(proposeV2(ConfChangeV2.getDefaultInstance()));
    readMessages(r);
    List<Entry> all = RaftTestKit.allEntries(r);
    assertThat(all.subList(all.size() - 3, all.size()))
        .extracting(Entry::getType)
        .containsExactly(
            EntryType.EntryConfChange, EntryType.EntryConfChange, EntryType.EntryConfChangeV2);
    assertThat(r.pendingConfIndex).isEqualTo(r.raftLog.lastIndex());
  }

  /**
   * The joint-state rules: outside a joint configuration an empty V2 (leave joint) is refused;
   * inside one, only the leave request is accepted.
   */
  @Test
  void jointStateRulesAtProposeTime() {
    Raft r = electAndCommitNoop(newRaft(1, 3));
    r.step(proposeV2(ConfChangeV2.getDefaultInstance()));
    readMessages(r);
    assertThat(lastEntry(r).getType()).isEqualTo(EntryType.EntryNormal);

    // Enter a joint configuration (applied directly) and make sure nothing is pending.
    r.applyConfChange(
        v2(
            ConfChangeTransition.ConfChangeTransitionJointExplicit,
            single(ConfChangeType.ConfChangeAddNode, 4)));
    readMessages(r);
    r.step(appResp(2, 1, r.term, r.raftLog.lastIndex()));
    r.step(appResp(3, 1, r.term, r.raftLog.lastIndex()));
    readMessages(r);
    persistAndApply(r);
    assertThat(r.trk.config().voters().isJoint()).isTrue();
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 5));
    readMessages(r);
    assertThat(lastEntry(r).getType()).isEqualTo(EntryType.EntryNormal);
    r.step(proposeV2(ConfChangeV2.getDefaultInstance()));
    readMessages(r);
    assertThat(lastEntry(r).getType()).isEqualTo(EntryType.EntryConfChangeV2);
  }

  /**
   * A new leader cannot tell whether its uncommitted tail holds a conf change, so it refuses conf
   * changes until everything it had when elected is applied.
   */
  @Test
  void newLeaderRefusesConfChangesUntilItsTailIsApplied() {
    Raft r = newRaft(1, 10, 1, storage(1, 2).withTerms(1, 1).withHardState(1, 0, 0));
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    assertThat(r.pendingConfIndex).isEqualTo(2);
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 3));
    readMessages(r);
    assertThat(lastEntry(r).getType()).isEqualTo(EntryType.EntryNormal);
    r.step(appResp(2, 1, r.term, r.raftLog.lastIndex()));
    readMessages(r);
    persistAndApply(r);
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 3));
    assertThat(lastEntry(r).getType()).isEqualTo(EntryType.EntryConfChange);
  }

  // --- joint consensus end to end -------------------------------------------------------------

  /** Nodes 1, 2 and 3 where only node 1 is a voter to begin with; node 1 leads. */
  private static Network growingNetwork() {
    Raft[] rs = new Raft[3];
    for (int i = 0; i < 3; i++) {
      rs[i] = newRaft(i + 1, 10, 1, storage(1));
    }
    Network net = Network.of(rs);
    net.campaign(1);
    settle(net);
    return net;
  }

  /**
   * Adding two voters at once goes through a joint configuration. With the automatic transition
   * the leader proposes the leave request itself once it applies the joint configuration, and
   * everybody ends in the new configuration.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ConfChangeTransitionAuto", "ConfChangeTransitionJointImplicit"})
  void jointConsensusIsLeftAutomatically(ConfChangeTransition transition) {
    Network net = growingNetwork();
    Raft leader = net.node(1);
    net.send(
        proposeV2(
            v2(
                transition,
                single(ConfChangeType.ConfChangeAddNode, 2),
                single(ConfChangeType.ConfChangeAddNode, 3))));
    long enterIndex = leader.raftLog.lastIndex();
    // Committed by the old configuration (node 1 alone), then applied: joint, and the leave
    // request is proposed right away.
    persistAndApply(leader);
    assertThat(leader.trk.config().voters().isJoint()).isTrue();
    assertThat(leader.trk.config().autoLeave()).isTrue();
    Entry leave = lastEntry(leader);
    assertThat(leave.getIndex()).isEqualTo(enterIndex + 1);
    assertThat(leave.getType()).isEqualTo(EntryType.EntryConfChangeV2);
    assertThat(leave.getData()).isEmpty();
    assertThat(leader.pendingConfIndex).isEqualTo(enterIndex + 1);
    settle(net);
    for (Raft r : net.peers.values()) {
      assertThat(r.trk.config().voters().isJoint()).as("node %d", r.id).isFalse();
      assertThat(r.trk.voterNodes()).as("node %d", r.id).containsExactly(1, 2, 3);
      assertThat(r.raftLog.applied).isEqualTo(enterIndex + 1);
    }
    assertThat(leader.trk.config().autoLeave()).isFalse();
  }

  /** With the explicit transition the joint configuration stays until the leave is proposed. */
  @Test
  void jointConsensusExplicitLeave() {
    Network net = growingNetwork();
    Raft leader = net.node(1);
    net.send(
        proposeV2(
            v2(
                ConfChangeTransition.ConfChangeTransitionJointExplicit,
                single(ConfChangeType.ConfChangeAddNode, 2),
                single(ConfChangeType.ConfChangeAddNode, 3))));
    long enterIndex = leader.raftLog.lastIndex();
    settle(net);
    assertThat(leader.raftLog.lastIndex()).isEqualTo(enterIndex);
    for (Raft r : net.peers.values()) {
      assertThat(r.trk.config().voters().isJoint()).isTrue();
      assertThat(r.trk.config().autoLeave()).isFalse();
    }
    net.send(proposeV2(ConfChangeV2.getDefaultInstance()));
    settle(net);
    for (Raft r : net.peers.values()) {
      assertThat(r.trk.config().voters().isJoint()).isFalse();
      assertThat(r.trk.voterNodes()).containsExactly(1, 2, 3);
    }
  }

  /**
   * In a joint configuration both majorities must agree: with the incoming voters {1, 2, 3} and
   * the outgoing {1}, node 1's acknowledgement alone commits nothing.
   */
  @Test
  void jointConfigurationNeedsBothMajorities() {
    Raft r = electAndCommitNoop(newRaft(1, 10, 1, storage(1)));
    r.applyConfChange(
        v2(
            ConfChangeTransition.ConfChangeTransitionJointExplicit,
            single(ConfChangeType.ConfChangeAddNode, 2),
            single(ConfChangeType.ConfChangeAddNode, 3)));
    readMessages(r);
    r.step(prop(1, "x"));
    readMessages(r);
    long last = r.raftLog.lastIndex();
    assertThat(r.raftLog.committed).isLessThan(last);
    r.step(appResp(2, 1, r.term, last));
    assertThat(r.raftLog.committed).isEqualTo(last);
  }

  // --- removal of the leader ------------------------------------------------------------------

  /**
   * A leader that applies its own removal keeps leading until it is replaced, but accepts no new
   * proposals — unless StepDownOnRemoval is set, in which case it becomes a follower at once.
   * Demotion to learner counts as removal.
   */
  @ParameterizedTest(name = "stepDownOnRemoval={0}, demote={1}")
  @org.junit.jupiter.params.provider.CsvSource({"false, false", "true, false", "false, true", "true, true"})
  void leaderRemovingItself(boolean stepDown, boolean demote) {
    Consumer<Config> tweak = c -> c.stepDownOnRemoval(stepDown);
    Network net = Network.of(3, tweak);
    net.campaign(1);
    settle(net);
    Raft leader = net.node(1);
    net.send(
        demote
            ? proposeV2(simple(ConfChangeType.ConfChangeAddLearnerNode, 1))
            : proposeV1(ConfChangeType.ConfChangeRemoveNode, 1));
    settle(net);
    assertThat(leader.trk.voterNodes()).containsExactly(2, 3);
    if (stepDown) {
      assertThat(leader.state).isEqualTo(StateType.FOLLOWER);
      assertThat(leader.lead).isZero();
    } else {
      assertThat(leader.state).isEqualTo(StateType.LEADER);
      if (!demote) {
        assertThatThrownBy(() -> leader.step(prop(1, "x")))
            .isInstanceOf(ProposalDroppedException.class);
      }
    }
    assertThat(leader.isLearner).isEqualTo(demote);
  }

  /** StepDownOnRemoval concerns leaders only: a removed follower just stays a follower. */
  @Test
  void removedFollowerIsUnaffected() {
    Network net = Network.of(3, c -> c.stepDownOnRemoval(true));
    net.campaign(1);
    settle(net);
    net.send(proposeV1(ConfChangeType.ConfChangeRemoveNode, 3));
    settle(net);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(1).trk.voterNodes()).containsExactly(1, 2);
    assertThat(net.node(3).state).isEqualTo(StateType.FOLLOWER);
    assertThat(net.node(3).promotable()).isFalse();
  }

  /** A proposed conf change is an ordinary entry until applied: the config does not change early. */
  @Test
  void configurationChangesOnlyWhenApplied() {
    Raft r = electAndCommitNoop(newRaft(1, 10, 1, storage(1)));
    r.step(proposeV1(ConfChangeType.ConfChangeAddNode, 2));
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(r.raftLog.lastIndex());
    assertThat(r.trk.voterNodes()).containsExactly(1);
    List<Entry> applied = persistAndApply(r);
    assertThat(applied).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo(EntryType.EntryConfChange);
      assertThat(e.getData()).isEqualTo(
          ConfChange.newBuilder()
              .setType(ConfChangeType.ConfChangeAddNode)
              .setNodeId(2)
              .build()
              .toByteString());
    });
    assertThat(r.trk.voterNodes()).containsExactly(1, 2);
  }
}
