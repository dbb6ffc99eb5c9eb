package dev.raftboot;

import static dev.raftboot.RaftTestKit.bytes;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.handleAllReady;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.payloads;
import static dev.raftboot.RaftTestKit.prop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proposals made at a follower are forwarded to the leader (unless DisableProposalForwarding),
 * and are dropped where there is no leader to forward to.
 */
class ProposalForwardingTest {

  /** A proposal at a follower travels to the leader, unstamped, and is committed everywhere. */
  @Test
  void followerForwardsProposalToLeader() {
    Network net = Network.of(3);
    net.campaign(1);
    Raft follower = net.node(2);
    follower.step(prop(2, "somedata"));
    Message forwarded = readMessages(follower).get(0);
    assertThat(forwarded.getType()).isEqualTo(MessageType.MsgProp);
    assertThat(forwarded.getTo()).isEqualTo(1);
    assertThat(forwarded.getFrom()).isEqualTo(2);
    // A forwarded proposal is a request, not a message of a term.
    assertThat(forwarded.getTerm()).isZero();
    net.send(forwarded);
    for (long id = 1; id <= 3; id++) {
      Raft r = net.node(id);
      assertThat(payloads(RaftTestKit.allEntries(r))).as("node %d", id).containsExactly("somedata");
      assertThat(r.raftLog.committed).isEqualTo(2);
    }
  }

  /**
   * Proposals made anywhere commit as long as the leader reaches a quorum; with too many members
   * down nobody is elected and the proposal is lost.
   */
  @ParameterizedTest(name = "{0} nodes, down [{1}], proposer {2} -> committed={3}")
  @CsvSource({
    "3, '', 1, true",
    "3, '', 3, true",
    "3, '3', 2, true",
    "5, '4 5', 3, true",
    "3, '2 3', 1, false",
  })
  void proposalsCommitWithQuorum(int n, String down, long proposer, boolean committed) {
    Network net = Network.of(n);
    if (!down.isBlank()) {
      for (String d : down.trim().split(" ")) {
        net.isolate(Long.parseLong(d));
      }
    }
    net.campaign(1);
    net.propose(proposer, "somedata");
    Raft leader = net.node(1);
    if (committed) {
      assertThat(leader.raftLog.committed).isEqualTo(2);
      assertThat(payloads(RaftTestKit.allEntries(net.node(proposer)))).containsExactly("somedata");
    } else {
      assertThat(leader.state).isEqualTo(StateType.CANDIDATE);
      assertThat(payloads(RaftTestKit.allEntries(leader))).isEmpty();
    }
  }

  /** With DisableProposalForwarding a follower refuses proposals instead of forwarding them. */
  @Test
  void disabledForwardingDropsAtFollower() {
    Network net = Network.of(3, c -> c.disableProposalForwarding(true));
    net.campaign(1);
    Raft follower = net.node(2);
    assertThatThrownBy(() -> follower.step(prop(2, "x")))
        .isInstanceOf(ProposalDroppedException.class);
    assertThat(readMessages(follower)).isEmpty();
    // The leader still takes its own proposals.
    net.propose(1, "y");
    assertThat(payloads(RaftTestKit.allEntries(follower))).containsExactly("y");
  }

  /** Without a known leader there is nowhere to forward to: followers and candidates drop. */
  @Test
  void noLeaderMeansDropped() {
    Raft follower = RaftTestKit.newRaft(1, 3);
    assertThatThrownBy(() -> follower.step(prop(1, "x")))
        .isInstanceOf(ProposalDroppedException.class);
    Raft candidate = RaftTestKit.newRaft(1, 3);
    candidate.becomeCandidate();
    assertThatThrownBy(() -> candidate.step(prop(1, "x")))
        .isInstanceOf(ProposalDroppedException.class);
    assertThat(readMessages(follower)).isEmpty();
  }

  /** Through the RawNode API, the refusal of a non-forwarding follower is thrown from propose(). */
  @Test
  void rawNodeFollowerWithForwardingDisabledThrows() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(2, 10, 1, s).disableProposalForwarding(true));
    rn.step(msg(1, 2, MessageType.MsgHeartbeat, 1));
    handleAllReady(rn, s.mem);
    assertThat(rn.raft.lead).isEqualTo(1);
    assertThatThrownBy(() -> rn.propose(bytes("x"))).isInstanceOf(ProposalDroppedException.class);
    assertThat(rn.hasReady()).isFalse();

    TestStorage s2 = storage(1, 2);
    RawNode forwarding = new RawNode(config(2, 10, 1, s2));
    forwarding.step(msg(1, 2, MessageType.MsgHeartbeat, 1));
    handleAllReady(forwarding, s2.mem);
    forwarding.propose(bytes("x"));
    assertThat(forwarding.ready().messages())
        .singleElement()
        .satisfies(m -> {
          assertThat(m.getType()).isEqualTo(MessageType.MsgProp);
          assertThat(m.getTo()).isEqualTo(1);
          assertThat(m.getEntries(0).getData()).isEqualTo(bytes("x"));
        });
  }
}
