package dev.raftboot;

import static dev.raftboot.RaftTestKit.allEntries;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.hup;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.persistAndApply;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.tick;
import static dev.raftboot.RaftTestKit.votersAndLearners;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Leader election beyond the paper's basics: pre-vote (thesis 9.6), competing candidates and split
 * votes, learners, the leader lease of CheckQuorum and the transfer campaigns that bypass it, and
 * the rule that a node with unapplied configuration changes does not campaign.
 */
class ElectionTest {

  private static Network network(int n, boolean preVote) {
    return Network.of(n, c -> c.preVote(preVote));
  }

  // --- who wins -------------------------------------------------------------------------------

  /**
   * A candidate wins only with a majority of the voters reachable; otherwise it keeps trying. With
   * pre-vote a hopeless campaign does not even raise the term.
   */
  @ParameterizedTest(name = "{0} nodes, down: [{1}], preVote={2} -> {3} at term {4}")
  @CsvSource({
    "3, '', false, LEADER, 1",
    "3, '3', false, LEADER, 1",
    "3, '2 3', false, CANDIDATE, 1",
    "4, '3 4', false, CANDIDATE, 1",
    "5, '4 5', false, LEADER, 1",
    "3, '', true, LEADER, 1",
    "3, '3', true, LEADER, 1",
    "3, '2 3', true, PRE_CANDIDATE, 0",
    "4, '3 4', true, PRE_CANDIDATE, 0",
    "5, '4 5', true, LEADER, 1",
  })
  void candidateNeedsMajorityOfReachableVoters(
      int n, String down, boolean preVote, StateType want, long wantTerm) {
    Network net = network(n, preVote);
    if (!down.isBlank()) {
      for (String d : down.trim().split(" ")) {
        net.isolate(Long.parseLong(d));
      }
    }
    net.campaign(1);
    assertThat(net.node(1).state).isEqualTo(want);
    assertThat(net.node(1).term).isEqualTo(wantTerm);
  }

  /** Every node can become leader in turn; the others follow it at its term. */
  @ParameterizedTest(name = "preVote={0}")
  @ValueSource(booleans = {false, true})
  void everyNodeCanBecomeLeaderInTurn(boolean preVote) {
    Network net = network(3, preVote);
    for (long c = 1; c <= 3; c++) {
      net.campaign(c);
      for (long id = 1; id <= 3; id++) {
        Raft r = net.node(id);
        assertThat(r.state).isEqualTo(id == c ? StateType.LEADER : StateType.FOLLOWER);
        assertThat(r.term).isEqualTo(c);
        assertThat(r.lead).isEqualTo(c);
      }
    }
  }

  /**
   * A leader elected with the help of nodes that never saw a newer term's uncommitted entry
   * overwrites that entry everywhere. Node 3 holds an entry of term 2 that nobody else has; nodes 4
   * and 5 have moved to term 3 with empty logs. Node 1 needs two campaigns: the first only teaches
   * it (or, with pre-vote, makes it adopt) the newer terms.
   */
  @ParameterizedTest(name = "preVote={0}")
  @CsvSource({"false, CANDIDATE, 2, 3", "true, FOLLOWER, 3, 4"})
  void newLeaderOverwritesUncommittedEntriesOfNewerTerm(
      boolean preVote, StateType afterFirst, long termAfterFirst, long leaderTerm) {
    Raft[] rs = new Raft[5];
    TestStorage[] ss = {
      storage(1, 2, 3, 4, 5).withTerms(1).withHardState(1, 0, 0),
      storage(1, 2, 3, 4, 5).withTerms(1).withHardState(1, 0, 0),
      storage(1, 2, 3, 4, 5).withTerms(2).withHardState(2, 3, 0),
      storage(1, 2, 3, 4, 5).withHardState(3, 0, 0),
      storage(1, 2, 3, 4, 5).withHardState(3, 0, 0),
    };
    for (int i = 0; i < 5; i++) {
      rs[i] = new Raft(config(i + 1, 10, 1, ss[i]).preVote(preVote));
    }
    Network net = Network.of(rs);
    net.campaign(1);
    assertThat(rs[0].state).isEqualTo(afterFirst);
    assertThat(rs[0].term).isEqualTo(termAfterFirst);
    net.campaign(1);
    assertThat(rs[0].state).isEqualTo(StateType.LEADER);
    assertThat(rs[0].term).isEqualTo(leaderTerm);
    for (Raft r : rs) {
      assertThat(RaftTestKit.ids(allEntries(r))).containsExactly("1/1", "2/" + leaderTerm);
    }
  }

  /** With an even number of voters two candidates can split the vote: neither wins. */
  @Test
  void splitVoteLeavesBothCandidates() {
    Network net = network(4, false);
    net.cut(1, 4).cut(3, 2);
    net.send(hup(1), hup(3));
    assertThat(net.node(1).state).isEqualTo(StateType.CANDIDATE);
    assertThat(net.node(3).state).isEqualTo(StateType.CANDIDATE);
    assertThat(net.node(1).trk.tallyVotes().granted()).isEqualTo(2);
    assertThat(net.node(3).trk.tallyVotes().granted()).isEqualTo(2);
    // A later campaign at a higher term resolves it.
    net.recover();
    net.campaign(1);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(1).term).isEqualTo(2);
  }

  /**
   * Two pre-candidates at once can split the pre-vote as well as the vote; a new round at the next
   * term elects one of them.
   */
  @Test
  void preVoteSplitVoteIsResolvedByNextRound() {
    Network net = network(3, true);
    net.campaign(1);
    net.isolate(1);
    net.send(hup(2), hup(3));
    assertThat(net.node(2).state).isEqualTo(StateType.CANDIDATE);
    assertThat(net.node(3).state).isEqualTo(StateType.CANDIDATE);
    assertThat(net.node(2).term).isEqualTo(2);
    assertThat(net.node(3).term).isEqualTo(2);
    net.campaign(2);
    assertThat(net.node(2).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(2).term).isEqualTo(3);
    assertThat(net.node(3).state).isEqualTo(StateType.FOLLOWER);
    assertThat(net.node(3).lead).isEqualTo(2);
  }

  /**
   * Dueling candidates: node 3 cannot reach node 1 and campaigns while node 1 leads. Without
   * pre-vote it raises the term; its log is behind, so it cannot win, but the leader has to step
   * down. With pre-vote its campaigns fail without disturbing the leader.
   */
  @ParameterizedTest(name = "preVote={0}")
  @CsvSource({"false, FOLLOWER, 2", "true, LEADER, 1"})
  void duelingCandidateWithStaleLog(boolean preVote, StateType leaderAfter, long termAfter) {
    Network net = network(3, preVote);
    net.cut(1, 3);
    net.campaign(1);
    net.campaign(3);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(1).term).isEqualTo(1);
    net.recover();
    net.campaign(3);
    assertThat(net.node(1).state).isEqualTo(leaderAfter);
    for (long id = 1; id <= 3; id++) {
      assertThat(net.node(id).term).isEqualTo(termAfter);
    }
    assertThat(net.node(3).state).isEqualTo(StateType.FOLLOWER);
    // Node 3 never got the leader's entry; 1 and 2 keep it.
    assertThat(RaftTestKit.ids(allEntries(net.node(1)))).containsExactly("1/1");
    assertThat(RaftTestKit.ids(allEntries(net.node(2)))).containsExactly("1/1");
    assertThat(allEntries(net.node(3))).isEmpty();
  }

  /** A candidate that hears from the elected leader of its term concedes and follows it. */
  @Test
  void candidateConcedesToLeaderOfItsTerm() {
    Network net = network(3, false);
    net.isolate(1);
    net.campaign(1);
    net.campaign(3);
    assertThat(net.node(1).state).isEqualTo(StateType.CANDIDATE);
    net.recover();
    // The leader's heartbeat reaches the stuck candidate at the same term.
    net.send(msg(3, 3, MessageType.MsgBeat));
    net.propose(3, "force follower");
    assertThat(net.node(1).state).isEqualTo(StateType.FOLLOWER);
    assertThat(net.node(1).term).isEqualTo(1);
    assertThat(net.node(1).lead).isEqualTo(3);
    List<String> want = RaftTestKit.ids(allEntries(net.node(3)));
    assertThat(want).containsExactly("1/1", "2/1");
    assertThat(RaftTestKit.ids(allEntries(net.node(1)))).isEqualTo(want);
    assertThat(net.node(1).raftLog.committed).isEqualTo(2);
  }

  /** A single voter elects itself at once, with or without pre-vote. */
  @ParameterizedTest(name = "preVote={0}")
  @ValueSource(booleans = {false, true})
  void singleNodeElectsItself(boolean preVote) {
    Network net = network(1, preVote);
    net.campaign(1);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(1).term).isEqualTo(1);
  }

  /** A campaign request to a leader is ignored: no new term. */
  @ParameterizedTest(name = "preVote={0}")
  @ValueSource(booleans = {false, true})
  void campaignWhileLeaderChangesNothing(boolean preVote) {
    Network net = network(3, preVote);
    net.campaign(1);
    net.campaign(1);
    assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(1).term).isEqualTo(1);
  }

  // --- vote handling ----------------------------------------------------------------------------

  enum Role {
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
  }

  private static Raft inRole(Role role) {
    Raft r = newRaft(1, 3);
    switch (role) {
      case FOLLOWER -> r.becomeFollower(1, 3);
      case PRE_CANDIDATE -> {
        r.becomeFollower(1, RaftUtil.NONE);
        r.becomePreCandidate();
      }
      case CANDIDATE -> r.becomeCandidate();
      case LEADER -> {
        r.becomeCandidate();
        r.becomeLeader();
      }
    }
    readMessages(r);
    assertThat(r.term).isEqualTo(1);
    return r;
  }

  /**
   * From any state, a vote request of a newer term from a candidate with an up-to-date log is
   * granted, and the voter becomes a follower at that term.
   */
  @ParameterizedTest
  @CsvSource({"FOLLOWER", "PRE_CANDIDATE", "CANDIDATE", "LEADER"})
  void newerTermVoteIsGrantedFromAnyState(Role role) {
    Raft r = inRole(role);
    r.step(voteRequest(MessageType.MsgVote, 2, 2, 2, 42));
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgVoteResp);
      assertThat(m.getTerm()).isEqualTo(2);
      assertThat(m.getReject()).isFalse();
    });
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(2);
    assertThat(r.vote).isEqualTo(2);
  }

  /**
   * From any state, a pre-vote for a newer term is granted when the log allows, without changing
   * the term, the state or the recorded vote: a pre-vote promises nothing.
   */
  @ParameterizedTest
  @CsvSource({"FOLLOWER", "PRE_CANDIDATE", "CANDIDATE", "LEADER"})
  void newerTermPreVoteIsGrantedWithoutSideEffects(Role role) {
    Raft r = inRole(role);
    long voteBefore = r.vote;
    StateType stateBefore = r.state;
    r.step(voteRequest(MessageType.MsgPreVote, 2, 2, 2, 42));
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgPreVoteResp);
      // The answer carries the term asked for, so the pre-candidate counts it.
      assertThat(m.getTerm()).isEqualTo(2);
      assertThat(m.getReject()).isFalse();
    });
    assertThat(r.state).isEqualTo(stateBefore);
    assertThat(r.term).isEqualTo(1);
    assertThat(r.vote).isEqualTo(voteBefore);
  }

  private static Message voteRequest(MessageType t, long from, long term, long logTerm, long idx) {
    return Message.newBuilder()
        .setFrom(from)
        .setTo(1)
        .setType(t)
        .setTerm(term)
        .setLogTerm(logTerm)
        .setIndex(idx)
        .build();
  }

  /**
   * Vote requests of the voter's own term (log 1/1 2/2): granted only to a candidate with an
   * up-to-date log and only if the voter has not voted for someone else and knows no leader.
   * Candidates and leaders have voted for themselves; a pre-candidate has not voted.
   */
  @ParameterizedTest(name = "{0} voted {1}, request ({2},{3}) -> reject={4}")
  @CsvSource({
    "FOLLOWER, 0, 2, 2, false",
    "FOLLOWER, 0, 3, 1, false",
    "FOLLOWER, 0, 2, 1, true",
    "FOLLOWER, 0, 1, 3, true",
    "FOLLOWER, 2, 2, 2, false",
    "FOLLOWER, 3, 2, 2, true",
    "PRE_CANDIDATE, 0, 2, 2, false",
    "PRE_CANDIDATE, 0, 1, 3, true",
    "CANDIDATE, 1, 2, 2, true",
    "CANDIDATE, 1, 3, 3, true",
    "LEADER, 1, 3, 3, true",
  })
  void sameTermVoteRequests(
      StateType state, long votedFor, long logTerm, long index, boolean reject) {
    Raft r = newRaft(1, 10, 1, storage(1, 2, 3).withTerms(1, 2).withHardState(2, votedFor, 0));
    r.state = state;
    r.step(voteRequest(MessageType.MsgVote, 2, 2, logTerm, index));
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgVoteResp);
      assertThat(m.getTerm()).isEqualTo(2);
      assertThat(m.getReject()).isEqualTo(reject);
    });
    assertThat(r.vote).isEqualTo(reject ? votedFor : 2);
  }

  /**
   * A follower that knows a leader refuses same-term votes even if it has not voted (it learned of
   * the leader from its messages), but still grants pre-votes for a future term.
   */
  @Test
  void followerWithLeaderRefusesSameTermVoteButGrantsFuturePreVote() {
    Raft r = newRaft(1, 10, 1, storage(1, 2, 3).withHardState(2, 0, 0));
    r.becomeFollower(2, 3);
    r.step(voteRequest(MessageType.MsgVote, 2, 2, 5, 5));
    assertThat(readMessages(r)).singleElement().satisfies(m -> assertThat(m.getReject()).isTrue());
    r.step(voteRequest(MessageType.MsgPreVote, 2, 3, 5, 5));
    assertThat(readMessages(r)).singleElement().satisfies(m -> assertThat(m.getReject()).isFalse());
    assertThat(r.term).isEqualTo(2);
    assertThat(r.lead).isEqualTo(3);
  }

  /** A lower-term pre-vote gets an explicit rejection carrying the voter's newer term. */
  @Test
  void lowerTermPreVoteIsRejectedWithOwnTerm() {
    Raft r = newRaft(1, 10, 1, storage(1, 2, 3).withHardState(5, 0, 0));
    r.step(voteRequest(MessageType.MsgPreVote, 2, 3, 9, 9));
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgPreVoteResp);
      assertThat(m.getReject()).isTrue();
      assertThat(m.getTerm()).isEqualTo(5);
    });
    // A lower-term MsgVote, by contrast, is dropped silently.
    r.step(voteRequest(MessageType.MsgVote, 2, 3, 9, 9));
    assertThat(readMessages(r)).isEmpty();
  }

  // --- state transitions ------------------------------------------------------------------------

  /** Which role changes are allowed, and what each does to term, vote and leader. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "FOLLOWER, FOLLOWER, true, 2, 0",
    "FOLLOWER, PRE_CANDIDATE, true, 1, 0",
    "FOLLOWER, CANDIDATE, true, 2, 0",
    "FOLLOWER, LEADER, false, 0, 0",
    "PRE_CANDIDATE, FOLLOWER, true, 2, 0",
    "PRE_CANDIDATE, PRE_CANDIDATE, true, 1, 0",
    "PRE_CANDIDATE, CANDIDATE, true, 2, 0",
    "PRE_CANDIDATE, LEADER, true, 1, 1",
    "CANDIDATE, FOLLOWER, true, 2, 0",
    "CANDIDATE, PRE_CANDIDATE, true, 1, 0",
    "CANDIDATE, CANDIDATE, true, 2, 0",
    "CANDIDATE, LEADER, true, 1, 1",
    "LEADER, FOLLOWER, true, 2, 0",
    "LEADER, PRE_CANDIDATE, false, 0, 0",
    "LEADER, CANDIDATE, false, 0, 0",
    "LEADER, LEADER, true, 1, 1",
  })
  void roleTransitions(Role from, StateType to, boolean allowed, long wantTerm, long wantLead) {
    Raft r = inRole(from);
    Runnable transition =
        switch (to) {
          case FOLLOWER -> () -> r.becomeFollower(2, RaftUtil.NONE);
          case PRE_CANDIDATE -> r::becomePreCandidate;
          case CANDIDATE -> r::becomeCandidate;
          case LEADER -> r::becomeLeader;
        };
    if (!allowed) {
      assertThatThrownBy(transition::run).isInstanceOf(IllegalStateException.class);
      return;
    }
    transition.run();
    assertThat(r.state).isEqualTo(to);
    assertThat(r.term).isEqualTo(wantTerm);
    assertThat(r.lead).isEqualTo(wantLead);
    if (to == StateType.CANDIDATE) {
      assertThat(r.vote).isEqualTo(1);
    }
  }

  /** A candidate of an older term follows a leader of a newer term on its heartbeat or append. */
  @ParameterizedTest
  @CsvSource({"MsgHeartbeat", "MsgApp"})
  void staleCandidateFollowsNewerLeader(MessageType type) {
    Raft r = newRaft(3, 3);
    r.becomeCandidate();
    readMessages(r);
    assertThat(r.term).isEqualTo(1);
    r.step(msg(1, 3, type, 4));
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(4);
    assertThat(r.lead).isEqualTo(1);
  }

  // --- self votes arriving late ---------------------------------------------------------------

  /**
   * A node counts its own vote only once it is durable. If it loses before that, the late self
   * vote changes nothing; with a real vote the node still remembers voting for itself.
   */
  @ParameterizedTest(name = "preVote={0}")
  @CsvSource({"false, 2, 1", "true, 1, 0"})
  void lateSelfVoteAfterLostElectionIsIgnored(boolean preVote, long wantTerm, long wantVote) {
    Raft r = new Raft(config(1, 10, 1, storage(1, 2, 3).withHardState(1, 0, 0)).preVote(preVote));
    r.step(hup(1));
    List<Message> selfVotes = r.msgsAfterAppend;
    r.msgsAfterAppend = new ArrayList<>();
    MessageType resp = preVote ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
    long respTerm = r.term;
    r.step(msg(2, 1, resp, respTerm).toBuilder().setReject(true).build());
    r.step(msg(3, 1, resp, respTerm).toBuilder().setReject(true).build());
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    for (Message m : selfVotes) {
      r.step(m);
    }
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(wantTerm);
    assertThat(r.vote).isEqualTo(wantVote);
  }

  /**
   * The self pre-vote may arrive after the pre-candidate already won on others' pre-votes and
   * became a candidate; it must not be counted as a real vote.
   */
  @Test
  void latePreVoteSelfResponseDoesNotCountInElection() {
    Raft r = new Raft(config(1, 10, 1, storage(1, 2, 3)).preVote(true));
    r.step(hup(1));
    List<Message> selfPreVote = r.msgsAfterAppend;
    r.msgsAfterAppend = new ArrayList<>();
    r.step(msg(2, 1, MessageType.MsgPreVoteResp, 1));
    r.step(msg(3, 1, MessageType.MsgPreVoteResp, 1));
    assertThat(r.state).isEqualTo(StateType.CANDIDATE);
    assertThat(r.term).isEqualTo(1);
    for (Message m : selfPreVote) {
      r.step(m);
    }
    r.step(msg(2, 1, MessageType.MsgVoteResp, 1));
    assertThat(r.state).isEqualTo(StateType.CANDIDATE);
    assertThat(r.trk.tallyVotes().granted()).isEqualTo(1);
    // Now the real self vote becomes durable and decides the election.
    readMessages(r);
    assertThat(r.state).isEqualTo(StateType.LEADER);
  }

  // --- pre-vote -----------------------------------------------------------------------------------

  /**
   * An isolated node keeps raising its term without pre-vote; with pre-vote it stays at the
   * cluster's term, and rejoining does not disturb the leader.
   */
  @ParameterizedTest(name = "preVote={0}")
  @ValueSource(booleans = {false, true})
  void isolatedNodeRaisesTermOnlyWithoutPreVote(boolean preVote) {
    Network net = network(3, preVote);
    net.campaign(1);
    net.isolate(3);
    net.tick(3, 100);
    Raft n3 = net.node(3);
    if (preVote) {
      assertThat(n3.term).isEqualTo(1);
      assertThat(n3.state).isEqualTo(StateType.PRE_CANDIDATE);
    } else {
      assertThat(n3.term).isGreaterThan(2);
      assertThat(n3.state).isEqualTo(StateType.CANDIDATE);
    }
    net.recover();
    net.tick(1, 1);
    if (preVote) {
      assertThat(n3.state).isEqualTo(StateType.FOLLOWER);
      assertThat(n3.lead).isEqualTo(1);
      assertThat(net.node(1).state).isEqualTo(StateType.LEADER);
      assertThat(net.node(1).term).isEqualTo(1);
    } else {
      // The old leader's heartbeats are of a stale term and are ignored.
      assertThat(n3.state).isEqualTo(StateType.CANDIDATE);
    }
  }

  /**
   * A node whose term is behind can still win under pre-vote. Node 3 has a newer term but no log;
   * node 1's first attempt only teaches it that term (node 3 rejects the lower-term pre-vote), the
   * second succeeds.
   */
  @Test
  void nodeWithSmallerTermCompletesElectionOnRetry() {
    Raft[] rs = new Raft[3];
    TestStorage[] ss = {
      storage(1, 2, 3).withTerms(1).withHardState(1, 0, 0),
      storage(1, 2, 3).withTerms(1).withHardState(1, 0, 0),
      storage(1, 2, 3).withHardState(3, 0, 0),
    };
    for (int i = 0; i < 3; i++) {
      rs[i] = new Raft(config(i + 1, 10, 1, ss[i]).preVote(true));
    }
    Network net = Network.of(rs);
    net.campaign(1);
    assertThat(rs[0].state).isEqualTo(StateType.FOLLOWER);
    assertThat(rs[0].term).isEqualTo(3);
    net.campaign(1);
    assertThat(rs[0].state).isEqualTo(StateType.LEADER);
    assertThat(rs[0].term).isEqualTo(4);
    assertThat(rs[2].state).isEqualTo(StateType.FOLLOWER);
    assertThat(rs[2].term).isEqualTo(4);
  }

  /**
   * Mixing pre-vote with a lingering real candidate (from before pre-vote was enabled, say): node
   * 3 is a candidate at term 2 with a shorter log, node 2 a pre-vote node at term 1 with the
   * longer one. Node 2 wins on its second attempt and node 3 is freed from its candidacy.
   */
  @Test
  void preVoteNodeWinsAgainstStaleCandidateOfHigherTerm() {
    Network net = network(3, true);
    net.campaign(1);
    // Node 3 misses the next entry and then campaigns without pre-vote at term 2.
    net.isolate(3);
    net.propose(1, "x");
    net.node(3).campaign(Raft.CampaignType.ELECTION);
    readMessages(net.node(3));
    assertThat(net.node(3).term).isEqualTo(2);
    // The leader goes away; node 3 comes back.
    net.recover();
    net.isolate(1);
    net.campaign(2);
    assertThat(net.node(2).state).isEqualTo(StateType.FOLLOWER);
    assertThat(net.node(2).term).isEqualTo(2);
    net.campaign(2);
    assertThat(net.node(2).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(2).term).isEqualTo(3);
    assertThat(net.node(3).state).isEqualTo(StateType.FOLLOWER);
    assertThat(net.node(3).lead).isEqualTo(2);
  }

  // --- leases (CheckQuorum) and transfer campaigns ----------------------------------------------

  private static Network leaseNetwork(boolean preVote) {
    Network net = Network.of(3, c -> c.checkQuorum(true).preVote(preVote));
    net.campaign(1);
    return net;
  }

  /**
   * With CheckQuorum a node that heard from a leader within the election timeout ignores vote and
   * pre-vote requests of newer terms entirely: no term change, no answer. Once the lease has run
   * out it votes.
   */
  @ParameterizedTest(name = "{0} to node {1}")
  @CsvSource({"MsgVote, 2", "MsgPreVote, 2", "MsgVote, 1", "MsgPreVote, 1"})
  void leaseIgnoresNewerTermVoteRequests(MessageType type, long voter) {
    Network net = leaseNetwork(false);
    Raft r = net.node(voter);
    Message req =
        Message.newBuilder()
            .setFrom(3)
            .setTo(voter)
            .setType(type)
            .setTerm(2)
            .setLogTerm(1)
            .setIndex(1)
            .build();
    r.step(req);
    assertThat(readMessages(r)).isEmpty();
    assertThat(r.term).isEqualTo(1);
    // Let the lease expire without campaigning or stepping down.
    r.randomizedElectionTimeout = 1000;
    r.electionElapsed = r.electionTimeout;
    r.step(req);
    assertThat(readMessages(r))
        .filteredOn(m -> m.getType() == RaftUtil.voteRespMsgType(type))
        .singleElement()
        .satisfies(m -> assertThat(m.getReject()).isFalse());
  }

  /**
   * A campaign started by a leadership transfer is sanctioned by the current leader, so it
   * bypasses the lease: its vote requests are honoured at once.
   */
  @Test
  void transferCampaignBypassesLease() {
    Network net = leaseNetwork(false);
    Raft r = net.node(2);
    r.step(
        Message.newBuilder()
            .setFrom(3)
            .setTo(2)
            .setType(MessageType.MsgVote)
            .setTerm(2)
            .setLogTerm(1)
            .setIndex(1)
            .setContext(Raft.CampaignType.TRANSFER_CONTEXT)
            .build());
    assertThat(r.term).isEqualTo(2);
    assertThat(r.vote).isEqualTo(3);
    assertThat(readMessages(r)).singleElement().satisfies(m -> assertThat(m.getReject()).isFalse());
  }

  /**
   * Pre-vote plus CheckQuorum: after the leader is cut off, the others' leases have to run out
   * before one of them can be elected.
   */
  @Test
  void preVoteWithCheckQuorumWaitsForLeaseExpiry() {
    Network net = leaseNetwork(true);
    net.isolate(1);
    net.campaign(2);
    assertThat(net.node(2).state).isEqualTo(StateType.PRE_CANDIDATE);
    assertThat(net.node(2).term).isEqualTo(1);
    Raft n3 = net.node(3);
    n3.randomizedElectionTimeout = 1000;
    tick(n3, n3.electionTimeout);
    net.campaign(2);
    assertThat(net.node(2).state).isEqualTo(StateType.LEADER);
    assertThat(net.node(2).term).isEqualTo(2);
    assertThat(n3.lead).isEqualTo(2);
  }

  /**
   * ForgetLeader drops the follower's knowledge of the leader, and with it the lease, so that it
   * votes at once — unless reads rely on the lease, where forgetting is refused.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"SAFE, false", "LEASE_BASED, true"})
  void forgetLeaderEndsTheLease(ReadOnlyOption option, boolean stillIgnored) {
    Network net = Network.of(3, c -> c.checkQuorum(true).readOnlyOption(option));
    net.campaign(1);
    Raft r = net.node(2);
    r.step(msg(2, 2, MessageType.MsgForgetLeader));
    assertThat(r.lead).isEqualTo(stillIgnored ? 1 : 0);
    r.step(voteRequest(MessageType.MsgVote, 3, 2, 1, 1).toBuilder().setTo(2).build());
    assertThat(r.term).isEqualTo(stillIgnored ? 1 : 2);
    assertThat(readMessages(r)).hasSize(stillIgnored ? 0 : 1);
  }

  // --- who may campaign -----------------------------------------------------------------------

  /** Learners never time out into an election, nor campaign on request or transfer. */
  @Test
  void learnerNeverCampaigns() {
    Raft r = newRaft(2, 10, 1, storage(votersAndLearners(new long[] {1}, new long[] {2})));
    assertThat(r.isLearner).isTrue();
    tick(r, 5 * r.electionTimeout);
    r.step(hup(2));
    r.step(msg(1, 2, MessageType.MsgTimeoutNow, 0));
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isZero();
    assertThat(readMessages(r)).isEmpty();
  }

  /**
   * Learners vote when asked: a learner may have been promoted already without having applied the
   * change, and its vote could be needed.
   */
  @Test
  void learnerGrantsVote() {
    Raft r = newRaft(2, 10, 1, storage(votersAndLearners(new long[] {1}, new long[] {2})));
    r.step(
        Message.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setType(MessageType.MsgVote)
            .setTerm(2)
            .setLogTerm(11)
            .setIndex(11)
            .build());
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgVoteResp);
      assertThat(m.getReject()).isFalse();
    });
    assertThat(r.vote).isEqualTo(1);
  }

  /**
   * A node must apply every committed configuration change before it campaigns, or it might
   * campaign under a configuration it is no longer in. Legacy and V2 changes both count, for
   * elections on timeout, on request and on transfer.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({
    "EntryConfChange, hup",
    "EntryConfChangeV2, hup",
    "EntryConfChange, tick",
    "EntryConfChangeV2, timeoutNow",
  })
  void unappliedConfChangeBlocksCampaign(EntryType type, String trigger) {
    Entry cc =
        Entry.newBuilder()
            .setIndex(1)
            .setTerm(1)
            .setType(type)
            .setData(
                type == EntryType.EntryConfChange
                    ? ConfChange.newBuilder()
                        .setType(ConfChangeType.ConfChangeAddNode)
                        .setNodeId(4)
                        .build()
                        .toByteString()
                    : ConfChangeV2.newBuilder()
                        .addChanges(
                            dev.raftboot.raftpb.ConfChangeSingle.newBuilder()
                                .setType(ConfChangeType.ConfChangeAddLearnerNode)
                                .setNodeId(4))
                        .build()
                        .toByteString())
            .build();
    TestStorage s = storage(1, 2);
    s.mem.append(List.of(cc));
    s.withHardState(1, 0, 1);
    Raft r = newRaft(1, 10, 1, s);
    Runnable campaign =
        switch (trigger) {
          case "hup" -> () -> r.step(hup(1));
          case "tick" -> () -> {
            for (int i = 0; i < 2 * r.electionTimeout && r.state == StateType.FOLLOWER; i++) {
              r.tick();
            }
          };
          default -> () -> r.step(msg(2, 1, MessageType.MsgTimeoutNow, 1));
        };
    campaign.run();
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(1);
    // Apply the change; now the campaign starts.
    assertThat(persistAndApply(r)).hasSize(1);
    campaign.run();
    assertThat(r.state).isEqualTo(StateType.CANDIDATE);
    assertThat(r.term).isEqualTo(2);
  }

  // --- randomized timeout -----------------------------------------------------------------------

  /**
   * After a reset the randomized timeout is uniform over [et, 2et-1], so having waited e ticks the
   * election is due with probability (e - et + 1) / et (clamped to [0, 1]).
   */
  @ParameterizedTest(name = "elapsed {0} -> {1}")
  @CsvSource({"5, 0.0", "10, 0.1", "13, 0.4", "15, 0.6", "18, 0.9", "19, 1.0", "20, 1.0"})
  void pastElectionTimeoutProbability(int elapsed, double probability) {
    Raft r = newRaft(1, 10, 1, storage(1));
    int rounds = 10_000;
    int due = 0;
    for (int i = 0; i < rounds; i++) {
      r.resetRandomizedElectionTimeout();
      r.electionElapsed = elapsed;
      if (r.pastElectionTimeout()) {
        due++;
      }
    }
    assertThat(due / (double) rounds).isCloseTo(probability, org.assertj.core.data.Offset.offset(0.02));
  }
}
