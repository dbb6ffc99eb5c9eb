package dev.raftboot;

import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.persistAndApply;
import static dev.raftboot.RaftTestKit.prop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.votersAndLearners;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Leadership transfer (thesis 3.10): the leader brings the transferee's log up to date, then tells
 * it to campaign at once (MsgTimeoutNow); proposals are refused meanwhile, and the transfer is
 * abandoned after an election timeout or when the transferee leaves the configuration.
 */
class LeaderTransferTest {

  /** Asks, on behalf of {@code transferee}, that {@code to} (leader or follower) hand over. */
  private static Message transfer(long transferee, long to) {
    return msg(transferee, to, MessageType.MsgTransferLeader);
  }

  /**
   * Hands a transfer request for {@code transferee} straight to leader 1 (the network may be
   * cutting the transferee off) and delivers what it causes.
   */
  private static void requestTransfer(Network net, long transferee) {
    Raft leader = net.node(1);
    leader.step(transfer(transferee, 1));
    net.send(readMessages(leader).toArray(Message[]::new));
  }

  private static Network elected(int n) {
    Network net = Network.of(n);
    net.campaign(1);
    return net;
  }

  private static void assertLeader(Network net, long leader, long term) {
    for (Raft r : net.peers.values()) {
      assertThat(r.term).as("term of %d", r.id).isEqualTo(term);
      assertThat(r.lead).as("lead of %d", r.id).isEqualTo(leader);
      assertThat(r.state)
          .as("state of %d", r.id)
          .isEqualTo(r.id == leader ? StateType.LEADER : StateType.FOLLOWER);
      assertThat(r.leadTransferee).isZero();
    }
  }

  /** A caught-up transferee is told to campaign immediately and wins at the next term. */
  @Test
  void transferToUpToDateNode() {
    Network net = elected(3);
    net.propose(1, "x");
    net.send(transfer(2, 1));
    assertLeader(net, 2, 2);
    // And back again.
    net.propose(2, "y");
    net.send(transfer(1, 2));
    assertLeader(net, 1, 3);
  }

  /** A follower forwards a transfer request to the leader. */
  @Test
  void transferRequestedAtFollower() {
    Network net = elected(3);
    net.propose(1, "x");
    net.send(transfer(2, 2));
    assertLeader(net, 2, 2);
    net.propose(2, "y");
    requestTransfer(net, 3);
    assertLeader(net, 3, 3);
  }

  /** The transfer campaign is sanctioned by the old leader, so CheckQuorum leases do not block it. */
  @Test
  void transferWorksWithinCheckQuorumLease() {
    Network net = Network.of(3, c -> c.checkQuorum(true));
    net.campaign(1);
    net.send(transfer(2, 1));
    assertLeader(net, 2, 2);
  }

  /**
   * A transferee that lags behind is first caught up with appends; the MsgTimeoutNow follows its
   * acknowledgement of the leader's last entry.
   */
  @Test
  void transferToSlowFollower() {
    Network net = elected(3);
    net.isolate(3);
    net.propose(1, "a");
    net.propose(1, "b");
    net.recover();
    assertThat(net.node(3).raftLog.lastIndex()).isEqualTo(1);
    requestTransfer(net, 3);
    assertLeader(net, 3, 2);
    assertThat(net.node(3).raftLog.lastIndex()).isEqualTo(4);
  }

  /**
   * A transferee that needs a snapshot gets it first; once the snapshot is stored (a node with an
   * unstored snapshot does not campaign) and acknowledged, the transfer completes.
   */
  @Test
  void transferAfterSnapshot() {
    Network net = elected(3);
    net.isolate(3);
    net.propose(1, "a");
    net.propose(1, "b");
    Raft leader = net.node(1);
    persistAndApply(leader);
    MemoryStorage ls = net.storages.get(1L).mem;
    ls.createSnapshot(leader.raftLog.applied, leader.trk.confState(), RaftTestKit.bytes("s"));
    ls.compact(leader.raftLog.applied);
    net.recover();
    // Hold back the follower's acknowledgement of the snapshot until it has stored it.
    net.intercept(
        m -> m.getFrom() == 3 && m.getType() == MessageType.MsgAppResp && !m.getReject());
    requestTransfer(net, 3);
    Raft slow = net.node(3);
    assertThat(slow.raftLog.hasNextUnstableSnapshot()).isTrue();
    assertThat(leader.leadTransferee).isEqualTo(3);
    persistAndApply(slow);
    net.recover();
    net.send(appResp(3, 1, 1, slow.raftLog.lastIndex()));
    assertLeader(net, 3, 2);
  }

  /** Transfers to the leader itself, to a node outside the group or to a learner are ignored. */
  @ParameterizedTest(name = "transferee {0}")
  @ValueSource(longs = {1, 4, 3})
  void pointlessTransfersAreIgnored(long transferee) {
    Raft[] rs = new Raft[3];
    for (int i = 0; i < 3; i++) {
      rs[i] = newRaft(i + 1, 10, 1, storage(votersAndLearners(new long[] {1, 2}, new long[] {3})));
    }
    Network net = Network.of(rs);
    net.campaign(1);
    net.send(transfer(transferee, 1));
    assertThat(rs[0].state).isEqualTo(StateType.LEADER);
    assertThat(rs[0].term).isEqualTo(1);
    assertThat(rs[0].leadTransferee).isZero();
    // Proposals still work.
    long last = rs[0].raftLog.lastIndex();
    net.propose(1, "x");
    assertThat(rs[0].raftLog.lastIndex()).isEqualTo(last + 1);
  }

  /**
   * A transfer that does not finish within an election timeout is abandoned and the leader
   * carries on.
   */
  @Test
  void transferTimesOutAfterElectionTimeout() {
    Network net = elected(3);
    net.isolate(3);
    requestTransfer(net, 3);
    Raft leader = net.node(1);
    assertThat(leader.leadTransferee).isEqualTo(3);
    net.tick(1, leader.electionTimeout - 1);
    assertThat(leader.leadTransferee).isEqualTo(3);
    net.tick(1, 1);
    assertThat(leader.leadTransferee).isZero();
    assertThat(leader.state).isEqualTo(StateType.LEADER);
    net.propose(1, "after");
    assertThat(RaftTestKit.payloads(RaftTestKit.allEntries(leader))).containsExactly("after");
  }

  /** While a transfer is under way the leader refuses proposals. */
  @Test
  void proposalsAreRefusedDuringTransfer() {
    Network net = elected(3);
    net.isolate(3);
    requestTransfer(net, 3);
    Raft leader = net.node(1);
    long last = leader.raftLog.lastIndex();
    assertThatThrownBy(() -> leader.step(prop(1, "x")))
        .isInstanceOf(ProposalDroppedException.class);
    assertThat(leader.raftLog.lastIndex()).isEqualTo(last);
  }

  /** A vote request of a newer term deposes the transferring leader and ends the transfer. */
  @Test
  void newerTermVoteEndsTransfer() {
    Network net = elected(3);
    net.isolate(3);
    requestTransfer(net, 3);
    assertThat(net.node(1).leadTransferee).isEqualTo(3);
    net.campaign(2);
    assertLeader(withoutNode3(net), 2, 2);
    assertThat(net.node(1).leadTransferee).isZero();
  }

  private static Network withoutNode3(Network net) {
    Network view = new Network();
    view.peers.put(1L, net.node(1));
    view.peers.put(2L, net.node(2));
    return view;
  }

  /** Removing or demoting the transferee abandons the transfer. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ConfChangeRemoveNode", "ConfChangeAddLearnerNode"})
  void transfereeLeavingVotersEndsTransfer(ConfChangeType change) {
    Network net = elected(3);
    net.isolate(3);
    requestTransfer(net, 3);
    Raft leader = net.node(1);
    assertThat(leader.leadTransferee).isEqualTo(3);
    leader.applyConfChange(
        ConfChangeV2.newBuilder()
            .addChanges(ConfChangeSingle.newBuilder().setType(change).setNodeId(3))
            .build());
    assertThat(leader.leadTransferee).isZero();
    assertThat(leader.state).isEqualTo(StateType.LEADER);
  }

  /** A new transfer request to another node replaces the one in progress. */
  @Test
  void secondTransferToAnotherNodeReplacesFirst() {
    Network net = elected(3);
    net.isolate(3);
    requestTransfer(net, 3);
    assertThat(net.node(1).leadTransferee).isEqualTo(3);
    net.send(transfer(2, 1));
    assertLeader(withoutNode3(net), 2, 2);
  }

  /**
   * Repeating the request for the same transferee does not restart the clock: the transfer still
   * times out one election timeout after the first request.
   */
  @Test
  void repeatedTransferToSameNodeDoesNotExtendTimeout() {
    Network net = elected(3);
    net.isolate(3);
    requestTransfer(net, 3);
    Raft leader = net.node(1);
    int half = leader.electionTimeout / 2;
    net.tick(1, half);
    requestTransfer(net, 3);
    assertThat(leader.leadTransferee).isEqualTo(3);
    net.tick(1, leader.electionTimeout - half);
    assertThat(leader.leadTransferee).isZero();
  }

  /**
   * A node that is not a voter in its own configuration ignores MsgTimeoutNow and cannot win even
   * with votes handed to it.
   */
  @Test
  void nonMemberDoesNotCampaignOnTimeoutNow() {
    Raft r = new Raft(config(1, 5, 1, storage(2, 3, 4)));
    r.step(msg(2, 1, MessageType.MsgTimeoutNow, 1));
    r.step(msg(2, 1, MessageType.MsgVoteResp, 1));
    r.step(msg(3, 1, MessageType.MsgVoteResp, 1));
    readMessages(r);
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(1);
  }

  /** The transfer in progress is visible in the node's basic status. */
  @Test
  void statusShowsTransferee() {
    RaftTestKit.TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    rn.campaign();
    RaftTestKit.handleAllReady(rn, s.mem);
    rn.step(msg(2, 1, MessageType.MsgVoteResp, 1));
    assertThat(rn.raft.state).isEqualTo(StateType.LEADER);
    rn.transferLeader(2);
    assertThat(rn.basicStatus().leadTransferee()).isEqualTo(2);
    assertThat(rn.status().basic().leadTransferee()).isEqualTo(2);
  }
}
