package dev.raftboot;

import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.tick;
import static dev.raftboot.RaftTestKit.votersAndLearners;
import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CheckQuorum: a leader that has not heard from a quorum within an election timeout steps down,
 * and followers that heard from a leader recently refuse to help depose it (the lease). Also the
 * companion rule that a node with a newer term answers a stale leader, so a partitioned node that
 * raised its term is not stuck forever.
 */
class CheckQuorumTest {

  private static Network network(int n, boolean preVote) {
    Network net = Network.of(n, c -> c.checkQuorum(true).preVote(preVote));
    net.campaign(1);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
    return net;
  }

  /** With its followers answering heartbeats, the leader keeps its role indefinitely. */
  @Test
  void leaderStaysWhileQuorumIsActive() {
    Network net = network(3, false);
    Raft leader = net.node(1);
    net.tick(1, 5 * leader.electionTimeout + 1);
    assertThat(leader.state).isEqualTo(StateType.LEADER);
    assertThat(leader.term).isEqualTo(1);
  }

  /** One silent follower out of two leaves a quorum (the leader and the other follower). */
  @Test
  void leaderStaysWithOneFollowerSilent() {
    Network net = network(3, false);
    net.isolate(3);
    net.tick(1, 3 * net.node(1).electionTimeout);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
  }

  /**
   * Cut off from both followers, the leader steps down at the second quorum check: the first one
   * still sees the activity from before the partition.
   */
  @Test
  void leaderStepsDownWhenQuorumIsLost() {
    Network net = network(3, false);
    Raft leader = net.node(1);
    net.isolate(1);
    net.tick(1, leader.electionTimeout);
    assertThat(leader.state).isEqualTo(StateType.LEADER);
    net.tick(1, leader.electionTimeout - 1);
    assertThat(leader.state).isEqualTo(StateType.LEADER);
    net.tick(1, 1);
    assertThat(leader.state).isEqualTo(StateType.FOLLOWER);
    assertThat(leader.term).isEqualTo(1);
    assertThat(leader.lead).isZero();
  }

  /** Without CheckQuorum an isolated leader never steps down on its own. */
  @Test
  void withoutCheckQuorumIsolatedLeaderStays() {
    Network net = Network.of(3);
    net.campaign(1);
    net.isolate(1);
    net.tick(1, 10 * net.node(1).electionTimeout);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
  }

  /** Learners do not count towards the active quorum. */
  @Test
  void learnersDoNotKeepLeaderInPower() {
    Raft[] rs = new Raft[3];
    for (int i = 0; i < 3; i++) {
      rs[i] =
          new Raft(
              config(i + 1, 10, 1, storage(votersAndLearners(new long[] {1, 2}, new long[] {3})))
                  .checkQuorum(true));
    }
    Network net = Network.of(rs);
    net.campaign(1);
    assertThat(rs[0].state).isEqualTo(StateType.LEADER);
    net.isolate(2);
    net.tick(1, 2 * rs[0].electionTimeout);
    assertThat(rs[2].lead).isEqualTo(1);
    assertThat(rs[0].state).isEqualTo(StateType.FOLLOWER);
  }

  /**
   * A newly added voter counts as active for the first check, so adding a node that has not
   * answered yet does not depose the leader at once; if it stays silent, the next check does.
   */
  @Test
  void addedVoterMustAnswerBeforeTheSecondCheck() {
    Raft r = new Raft(config(1, 10, 1, storage(1)).checkQuorum(true));
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.applyConfChange(
        ConfChangeV2.newBuilder()
            .addChanges(
                ConfChangeSingle.newBuilder()
                    .setType(ConfChangeType.ConfChangeAddNode)
                    .setNodeId(2))
            .build());
    tick(r, r.electionTimeout);
    assertThat(r.state).isEqualTo(StateType.LEADER);
    tick(r, r.electionTimeout);
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
  }

  /**
   * A candidate cannot supersede a leader whose followers are within their lease; once the lease
   * of one follower runs out, it can.
   */
  @Test
  void candidateSupersedesLeaderOnlyAfterLeaseExpires() {
    Network net = network(3, false);
    net.campaign(3);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(1).term).isEqualTo(1);
    assertThat(net.node(3).state).isEqualTo(StateType.CANDIDATE);
    assertThat(net.node(3).term).isEqualTo(2);
    Raft n2 = net.node(2);
    n2.randomizedElectionTimeout = 1000;
    tick(n2, n2.electionTimeout);
    net.campaign(3);
    assertThat(net.node(3).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(3).term).isEqualTo(3);
    // The old leader learns of the new term from the new leader's append.
    assertThat(net.node(1).state).isEqualTo(StateType.FOLLOWER);
    assertThat(net.node(1).lead).isEqualTo(3);
  }

  /** When every follower's lease has run out, elections work as without CheckQuorum. */
  @Test
  void electionAfterAllLeasesExpired() {
    Network net = network(3, false);
    for (long id = 2; id <= 3; id++) {
      Raft r = net.node(id);
      r.randomizedElectionTimeout = 1000;
      tick(r, r.electionTimeout);
    }
    net.isolate(1);
    net.campaign(3);
    assertThat(net.node(3).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(3).term).isEqualTo(2);
  }

  /**
   * A node that raised its term while partitioned cannot win (the others are in their lease) and
   * would otherwise never rejoin. When the old leader's heartbeat reaches it, it answers with its
   * newer term, the leader steps down, and a new election can succeed.
   */
  @Test
  void stuckCandidateIsFreedByStaleLeaderStepDown() {
    Network net = network(3, false);
    net.isolate(3);
    net.campaign(3);
    net.campaign(3);
    Raft n3 = net.node(3);
    assertThat(n3.state).isEqualTo(StateType.CANDIDATE);
    assertThat(n3.term).isEqualTo(3);
    net.recover();
    net.send(msg(1, 1, MessageType.MsgBeat));
    Raft n1 = net.node(1);
    assertThat(n1.state).isEqualTo(StateType.FOLLOWER);
    assertThat(n1.term).isEqualTo(n3.term);
    net.campaign(3);
    assertThat(n3.state).isEqualTo(StateType.LEADER);
    assertThat(n3.term).isEqualTo(4);
  }

  /**
   * A follower partitioned long enough times out; on rejoining it disrupts the leader without
   * pre-vote (its newer term forces a step-down), but not with pre-vote (its term never moved).
   */
  @ParameterizedTest(name = "preVote={0}")
  @ValueSource(booleans = {false, true})
  void disruptiveFollowerOnlyWithoutPreVote(boolean preVote) {
    Network net = network(3, preVote);
    Raft n1 = net.node(1);
    Raft n3 = net.node(3);
    net.isolate(3);
    // Time out node 3 exactly once.
    n3.randomizedElectionTimeout = n3.electionTimeout;
    net.tick(3, n3.electionTimeout);
    assertThat(n3.state).isEqualTo(preVote ? StateType.PRE_CANDIDATE : StateType.CANDIDATE);
    assertThat(n3.term).isEqualTo(preVote ? 1 : 2);
    net.recover();
    net.tick(1, 1);
    if (preVote) {
      assertThat(n1.state).isEqualTo(StateType.LEADER);
      assertThat(n1.term).isEqualTo(1);
      assertThat(n3.state).isEqualTo(StateType.FOLLOWER);
      assertThat(n3.lead).isEqualTo(1);
    } else {
      assertThat(n1.state).isEqualTo(StateType.FOLLOWER);
      assertThat(n1.term).isEqualTo(2);
    }
  }

  /**
   * A voter that does not know it is a voter (its configuration lacks itself) never campaigns, but
   * it answers the leader and so keeps the leader's quorum active.
   */
  @Test
  void nonPromotableVoterStillCountsAsActive() {
    Raft a = new Raft(config(1, 10, 1, storage(1, 2)).checkQuorum(true));
    Raft b = new Raft(config(2, 10, 1, storage(1)).checkQuorum(true));
    Network net = Network.of(a, b);
    assertThat(b.promotable()).isFalse();
    net.campaign(1);
    assertThat(a.state).isEqualTo(StateType.LEADER);
    for (int i = 0; i < 5 * b.electionTimeout; i++) {
      net.tick(2, 1);
      net.tick(1, 1);
    }
    assertThat(a.state).isEqualTo(StateType.LEADER);
    assertThat(b.state).isEqualTo(StateType.FOLLOWER);
    assertThat(b.lead).isEqualTo(1);
    assertThat(b.term).isEqualTo(1);
  }

  /** A stale leader's heartbeat gets an empty append response at the newer term (CheckQuorum). */
  @Test
  void staleHeartbeatIsAnsweredWithOwnTerm() {
    Raft r = new Raft(config(2, 10, 1, storage(1, 2, 3).withHardState(5, 0, 0)).checkQuorum(true));
    r.step(msg(1, 2, MessageType.MsgHeartbeat, 3));
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgAppResp);
      assertThat(m.getTo()).isEqualTo(1);
      assertThat(m.getTerm()).isEqualTo(5);
      assertThat(m.getReject()).isFalse();
      assertThat(m.getIndex()).isZero();
    });
    assertThat(r.term).isEqualTo(5);
    assertThat(r.lead).isZero();
  }
}
