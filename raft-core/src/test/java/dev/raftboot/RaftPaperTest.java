package dev.raftboot;

import static dev.raftboot.RaftTestKit.allEntries;
import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.electAndCommitNoop;
import static dev.raftboot.RaftTestKit.entries;
import static dev.raftboot.RaftTestKit.entry;
import static dev.raftboot.RaftTestKit.hardState;
import static dev.raftboot.RaftTestKit.hup;
import static dev.raftboot.RaftTestKit.ids;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.persistAndApply;
import static dev.raftboot.RaftTestKit.prop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.tick;
import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rules of the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable Consensus
 * Algorithm", extended version), section by section: terms (5.1), leader election (5.2), log
 * replication (5.3) and the election and commitment restrictions that make it safe (5.4).
 */
class RaftPaperTest {

  // --- 5.1 Raft basics: terms ---------------------------------------------------------------

  enum Role {
    FOLLOWER,
    CANDIDATE,
    PRE_CANDIDATE,
    LEADER
  }

  private static Raft inRole(Role role) {
    Raft r = newRaft(1, 3);
    switch (role) {
      case FOLLOWER -> r.becomeFollower(1, 2);
      case CANDIDATE -> r.becomeCandidate();
      case PRE_CANDIDATE -> {
        r.becomeFollower(1, RaftUtil.NONE);
        r.becomePreCandidate();
      }
      case LEADER -> {
        r.becomeCandidate();
        r.becomeLeader();
      }
    }
    readMessages(r);
    return r;
  }

  /**
   * Paper 5.1: "If a candidate or leader discovers that its term is out of date, it immediately
   * reverts to follower state", and every server adopts a larger term it sees. A MsgApp of a newer
   * term also names the new leader.
   */
  @ParameterizedTest
  @EnumSource(Role.class)
  void anyRoleAdoptsNewerTermFromAppendAndFollowsItsSender(Role role) {
    Raft r = inRole(role);
    r.step(msg(2, 1, MessageType.MsgApp, 5));
    assertThat(r.term).isEqualTo(5);
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.lead).isEqualTo(2);
    assertThat(r.vote).isZero();
  }

  /**
   * Paper 5.1: a vote request from a newer term also raises the term; the candidate is not a
   * leader, so the follower knows no leader yet (and, log permitting, votes for it).
   */
  @ParameterizedTest
  @EnumSource(Role.class)
  void anyRoleAdoptsNewerTermFromVoteRequestWithoutLeader(Role role) {
    Raft r = inRole(role);
    r.step(
        Message.newBuilder()
            .setFrom(3)
            .setTo(1)
            .setType(MessageType.MsgVote)
            .setTerm(7)
            .setLogTerm(9)
            .setIndex(9)
            .build());
    assertThat(r.term).isEqualTo(7);
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.lead).isZero();
    assertThat(r.vote).isEqualTo(3);
  }

  /** Paper 5.1: "If a server receives a request with a stale term number, it rejects the request." */
  @Test
  void staleTermAppendIsIgnored() {
    Raft r = newRaft(1, 3);
    r.loadState(hardState(2, 0, 0));
    r.step(
        Message.newBuilder()
            .setFrom(2)
            .setTo(1)
            .setType(MessageType.MsgApp)
            .setTerm(1)
            .addEntries(entry(1, 1))
            .build());
    assertThat(r.term).isEqualTo(2);
    assertThat(r.raftLog.lastIndex()).isZero();
    assertThat(r.lead).isZero();
    // Without CheckQuorum or PreVote nothing is sent back.
    assertThat(readMessages(r)).isEmpty();
  }

  // --- 5.2 Leader election ------------------------------------------------------------------

  /** Paper 5.2: "When servers start up, they begin as followers", at term 0 with no leader. */
  @Test
  void startsAsFollower() {
    Raft r = newRaft(1, 3);
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isZero();
    assertThat(r.lead).isZero();
  }

  /**
   * Paper 5.2: "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to
   * all followers in order to maintain their authority." One heartbeat interval produces one empty
   * heartbeat per follower, carrying no commit index the follower may not have.
   */
  @Test
  void leaderSendsHeartbeatsEveryHeartbeatTimeout() {
    Raft r = newRaft(1, 10, 2, storage(1, 2, 3));
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.tick();
    assertThat(readMessages(r)).isEmpty();
    r.tick();
    List<Message> msgs = readMessages(r);
    assertThat(msgs)
        .extracting(Message::getType, Message::getTo, Message::getTerm, Message::getCommit)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgHeartbeat, 2L, 1L, 0L),
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgHeartbeat, 3L, 1L, 0L));
    assertThat(msgs).allSatisfy(m -> assertThat(m.getEntriesCount()).isZero());
  }

  /**
   * Paper 5.2: "If a follower receives no communication over a period of time called the election
   * timeout, then it ... begins an election": it increments its term, votes for itself and asks
   * every other server for its vote.
   */
  @Test
  void followerStartsElectionAfterElectionTimeout() {
    Raft r = newRaft(1, 3);
    r.becomeFollower(1, 2);
    // The timeout lies in [et, 2et-1]; fewer than et ticks remain afterwards, too few for a second.
    tick(r, 2 * r.electionTimeout - 1);
    assertThat(r.state).isEqualTo(StateType.CANDIDATE);
    assertThat(r.term).isEqualTo(2);
    assertThat(r.vote).isEqualTo(1);
    List<Message> msgs = readMessages(r);
    assertThat(msgs)
        .extracting(Message::getType, Message::getTo, Message::getTerm)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgVote, 2L, 2L),
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgVote, 3L, 2L));
    // The self vote has been counted.
    assertThat(r.trk.tallyVotes().granted()).isEqualTo(1);
  }

  /**
   * Paper 5.2: "If many followers become candidates at the same time, votes could be split ...
   * each candidate will time out and start a new election by incrementing its term."
   */
  @Test
  void candidateStartsNewElectionAfterElectionTimeout() {
    Raft r = newRaft(1, 3);
    r.becomeCandidate();
    readMessages(r);
    assertThat(r.term).isEqualTo(1);
    tick(r, 2 * r.electionTimeout - 1);
    assertThat(r.state).isEqualTo(StateType.CANDIDATE);
    assertThat(r.term).isEqualTo(2);
    assertThat(readMessages(r)).extracting(Message::getType, Message::getTerm)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(MessageType.MsgVote, 2L));
  }

  /**
   * Paper 5.2: "A candidate wins an election if it receives votes from a majority of the servers in
   * the full cluster for the same term"; it stays a candidate without a decision and returns to
   * follower when a majority refused (this implementation's early step-down).
   */
  @ParameterizedTest(name = "{0} voters, {1} grants, {2} rejections -> {3}")
  @CsvSource({
    "1, 0, 0, LEADER",
    "3, 1, 0, LEADER",
    "3, 2, 0, LEADER",
    "5, 2, 0, LEADER",
    "5, 4, 0, LEADER",
    "3, 0, 0, CANDIDATE",
    "3, 0, 1, CANDIDATE",
    "5, 1, 0, CANDIDATE",
    "5, 1, 2, CANDIDATE",
    "3, 0, 2, FOLLOWER",
    "5, 0, 3, FOLLOWER",
    "5, 1, 3, FOLLOWER",
  })
  void electionIsDecidedInOneRoundByMajority(
      int size, int grants, int rejections, StateType expected) {
    Raft r = newRaft(1, 10, 1, storage(ids(size)));
    r.step(hup(1));
    readMessages(r);
    long from = 2;
    for (int i = 0; i < grants; i++) {
      r.step(msg(from++, 1, MessageType.MsgVoteResp, r.term));
    }
    for (int i = 0; i < rejections; i++) {
      r.step(
          msg(from++, 1, MessageType.MsgVoteResp, r.term).toBuilder().setReject(true).build());
    }
    readMessages(r);
    assertThat(r.state).isEqualTo(expected);
    assertThat(r.term).isEqualTo(1);
  }

  /**
   * Paper 5.2: "Each server will vote for at most one candidate in a given term, on a
   * first-come-first-served basis"; repeating the vote to the same candidate is fine.
   */
  @ParameterizedTest(name = "voted for {0}, request from {1} -> reject={2}")
  @CsvSource({"0, 2, false", "0, 3, false", "2, 2, false", "3, 3, false", "2, 3, true", "3, 2, true"})
  void followerVotesForAtMostOneCandidatePerTerm(long votedFor, long candidate, boolean reject) {
    Raft r = newRaft(1, 3);
    r.loadState(hardState(1, votedFor, 0));
    r.step(
        Message.newBuilder()
            .setFrom(candidate)
            .setTo(1)
            .setType(MessageType.MsgVote)
            .setTerm(1)
            .build());
    List<Message> msgs = readMessages(r);
    assertThat(msgs).hasSize(1);
    Message resp = msgs.get(0);
    assertThat(resp.getType()).isEqualTo(MessageType.MsgVoteResp);
    assertThat(resp.getTo()).isEqualTo(candidate);
    assertThat(resp.getTerm()).isEqualTo(1);
    assertThat(resp.getReject()).isEqualTo(reject);
    assertThat(r.vote).isEqualTo(votedFor == 0 ? candidate : votedFor);
  }

  /**
   * Paper 5.2: "If the leader's term ... is at least as large as the candidate's current term, then
   * the candidate recognizes the leader as legitimate and returns to follower state."
   */
  @ParameterizedTest(name = "append at term {0}")
  @CsvSource({"1", "2"})
  void candidateRecognizesLeaderOfSameOrNewerTerm(long appTerm) {
    Raft r = newRaft(1, 3);
    r.step(hup(1));
    readMessages(r);
    assertThat(r.term).isEqualTo(1);
    r.step(msg(2, 1, MessageType.MsgApp, appTerm));
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(appTerm);
    assertThat(r.lead).isEqualTo(2);
  }

  /** Counts the ticks until {@code r} starts an election, from a fresh reset. */
  private static int ticksUntilCampaign(Raft r) {
    int ticks = 0;
    long termBefore = r.term;
    while (r.term == termBefore) {
      r.tick();
      ticks++;
      assertThat(ticks).isLessThan(10 * r.electionTimeout);
    }
    readMessages(r);
    return ticks;
  }

  /**
   * Paper 5.2: "election timeouts are chosen randomly from a fixed interval". Here the interval is
   * [electionTimeout, 2*electionTimeout-1], for followers and candidates alike, and every value in
   * it occurs.
   */
  @ParameterizedTest
  @EnumSource(
      value = Role.class,
      names = {"FOLLOWER", "CANDIDATE"})
  void electionTimeoutIsRandomizedOverItsWholeRange(Role role) {
    int et = 10;
    Raft r = newRaft(1, et, 1, storage(1, 2, 3));
    Set<Integer> seen = new HashSet<>();
    for (int round = 0; round < 500; round++) {
      if (role == Role.FOLLOWER) {
        r.becomeFollower(r.term + 1, 2);
      } else {
        r.becomeCandidate();
        readMessages(r);
      }
      seen.add(ticksUntilCampaign(r));
    }
    Set<Integer> range = new HashSet<>();
    for (int i = et; i < 2 * et; i++) {
      range.add(i);
    }
    assertThat(seen).isEqualTo(range);
  }

  /**
   * Paper 5.2: randomization ensures that "in most cases only a single server will time out". For
   * five servers drawing uniformly from ten values, the earliest timeout is shared with probability
   * 1 - 0.5 * sum(k^4, k=0..9)/10^4, about 0.23; the observed rate must stay close to that, for
   * followers and candidates alike.
   */
  @ParameterizedTest
  @EnumSource(
      value = Role.class,
      names = {"FOLLOWER", "CANDIDATE"})
  void electionTimeoutsRarelyCoincide(Role role) {
    int n = 5;
    List<Raft> rs = new ArrayList<>();
    for (long id = 1; id <= n; id++) {
      rs.add(newRaft(id, 10, 1, storage(ids(n))));
    }
    int rounds = 1000;
    int conflicts = 0;
    for (int round = 0; round < rounds; round++) {
      int min = Integer.MAX_VALUE;
      int atMin = 0;
      for (Raft r : rs) {
        if (role == Role.FOLLOWER) {
          r.becomeFollower(r.term + 1, RaftUtil.NONE);
        } else {
          r.becomeCandidate();
          readMessages(r);
        }
        int t = r.randomizedElectionTimeout;
        if (t < min) {
          min = t;
          atMin = 1;
        } else if (t == min) {
          atMin++;
        }
      }
      if (atMin > 1) {
        conflicts++;
      }
    }
    assertThat(conflicts / (double) rounds).isBetween(0.15, 0.30);
  }

  // --- 5.3 Log replication ------------------------------------------------------------------

  /**
   * Paper 5.3: the leader "appends the command to its log as a new entry, then issues
   * AppendEntries RPCs in parallel to each of the other servers to replicate the entry", each
   * naming the entry that precedes the new ones.
   */
  @Test
  void leaderAppendsProposalAndReplicatesIt() {
    Raft r = electAndCommitNoop(newRaft(1, 3));
    long li = r.raftLog.lastIndex();
    r.step(prop(1, "some data"));
    List<Message> msgs = readMessages(r);
    assertThat(r.raftLog.lastIndex()).isEqualTo(li + 1);
    assertThat(r.raftLog.committed).isEqualTo(li);
    assertThat(msgs).hasSize(2);
    for (int i = 0; i < 2; i++) {
      Message m = msgs.get(i);
      assertThat(m.getType()).isEqualTo(MessageType.MsgApp);
      assertThat(m.getTo()).isEqualTo(i + 2);
      assertThat(m.getTerm()).isEqualTo(1);
      assertThat(m.getIndex()).isEqualTo(li);
      assertThat(m.getLogTerm()).isEqualTo(1);
      assertThat(m.getCommit()).isEqualTo(li);
      assertThat(m.getEntriesList())
          .containsExactly(entry(li + 1, 1, "some data"));
    }
    assertThat(r.raftLog.nextUnstableEnts()).contains(entry(li + 1, 1, "some data"));
  }

  /**
   * Paper 5.3: "A log entry is committed once the leader that created the entry has replicated it
   * on a majority of the servers", and then the leader tells the followers the new commit index.
   */
  @Test
  void leaderCommitsEntryReplicatedOnMajority() {
    Raft r = electAndCommitNoop(newRaft(1, 3));
    long li = r.raftLog.lastIndex();
    r.step(prop(1, "some data"));
    for (Message m : readMessages(r)) {
      r.step(appResp(m.getTo(), 1, m.getTerm(), m.getIndex() + m.getEntriesCount()));
    }
    assertThat(r.raftLog.committed).isEqualTo(li + 1);
    assertThat(persistAndApply(r)).containsExactly(entry(li + 1, 1, "some data"));
    List<Message> msgs = readMessages(r);
    assertThat(msgs)
        .extracting(Message::getTo, Message::getType, Message::getCommit)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2L, MessageType.MsgApp, li + 1),
            org.assertj.core.groups.Tuple.tuple(3L, MessageType.MsgApp, li + 1));
  }

  /**
   * Paper 5.3: the entry commits exactly when a majority including the leader has it; which
   * followers acknowledged does not matter, only how many.
   */
  @ParameterizedTest(name = "{0} voters, acks from {1} -> committed={2}")
  @CsvSource({
    "1, '', true",
    "3, '', false",
    "3, '2', true",
    "3, '2 3', true",
    "5, '', false",
    "5, '2', false",
    "5, '2 3', true",
    "5, '4 5', true",
    "5, '2 3 4 5', true",
  })
  void leaderCommitsOnlyWithMajorityOfAcknowledgements(int size, String acks, boolean committed) {
    Raft r = electAndCommitNoop(newRaft(1, 10, 1, storage(ids(size))));
    long li = r.raftLog.lastIndex();
    r.step(prop(1, "some data"));
    readMessages(r);
    for (String a : acks.trim().isEmpty() ? new String[0] : acks.trim().split(" ")) {
      r.step(appResp(Long.parseLong(a), 1, 1, li + 1));
    }
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(committed ? li + 1 : li);
  }

  /**
   * Paper 5.3: "This also commits all preceding entries in the leader's log, including entries
   * created by previous leaders."
   */
  @Test
  void committingCurrentTermEntryCommitsPrecedingEntries() {
    TestStorage s = storage(1, 2, 3).withTerms(1, 2).withHardState(2, 0, 0);
    Raft r = newRaft(1, 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    r.step(prop(1, "some data"));
    readMessages(r);
    assertThat(r.term).isEqualTo(3);
    r.step(appResp(2, 1, 3, 4));
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(4);
    assertThat(RaftTestKit.ids(persistAndApply(r))).containsExactly("1/1", "2/2", "3/3", "4/3");
  }

  /**
   * Paper 5.3: "Once a follower learns that a log entry is committed, it applies the entry to its
   * local state machine" — but never beyond what the leader has just shown it to have matched.
   */
  @ParameterizedTest(name = "{0} entries, leader commit {1} -> commit {2}")
  @CsvSource({"1, 1, 1", "2, 2, 2", "2, 1, 1", "1, 3, 1", "0, 5, 0"})
  void followerCommitsUpToLeaderCommitWithinNewEntries(int n, long leaderCommit, long want) {
    Raft r = newRaft(1, 3);
    r.becomeFollower(1, 2);
    Message.Builder app =
        Message.newBuilder()
            .setFrom(2)
            .setTo(1)
            .setType(MessageType.MsgApp)
            .setTerm(1)
            .setCommit(leaderCommit);
    for (int i = 1; i <= n; i++) {
      app.addEntries(entry(i, 1, "data" + i));
    }
    r.step(app.build());
    assertThat(r.raftLog.committed).isEqualTo(want);
    assertThat(RaftTestKit.payloads(persistAndApply(r)))
        .hasSize((int) want);
  }

  /**
   * Paper 5.3, the consistency check: "If the follower does not find an entry in its log with the
   * same index and term, then it refuses the new entries." The refusal carries a hint: the last
   * index at or below the probed one whose term is not newer than the leader's term there, so the
   * leader can skip a whole divergent term at once.
   */
  @ParameterizedTest(name = "probe ({0},{1}) -> reject={2} index={3} hint=({4},{5})")
  @CsvSource({
    // matches at the start, inside and at the end of the log
    "0, 0, false, 1, 0, 0",
    "1, 1, false, 1, 0, 0",
    "2, 2, false, 2, 0, 0",
    // term mismatch at index 2: hint back to index 1, whose term 1 is not newer than 1
    "1, 2, true, 2, 1, 1",
    // beyond the log: hint at our last entry
    "3, 3, true, 3, 2, 2",
  })
  void followerChecksConsistencyOfAppend(
      long logTerm, long index, boolean reject, long respIndex, long hintIndex, long hintTerm) {
    TestStorage s = storage(1, 2, 3).withTerms(1, 2).withHardState(0, 0, 1);
    Raft r = newRaft(1, 10, 1, s);
    r.becomeFollower(2, 2);
    r.step(
        Message.newBuilder()
            .setFrom(2)
            .setTo(1)
            .setType(MessageType.MsgApp)
            .setTerm(2)
            .setLogTerm(logTerm)
            .setIndex(index)
            .build());
    List<Message> msgs = readMessages(r);
    assertThat(msgs).hasSize(1);
    Message m = msgs.get(0);
    assertThat(m.getType()).isEqualTo(MessageType.MsgAppResp);
    assertThat(m.getReject()).isEqualTo(reject);
    assertThat(m.getIndex()).isEqualTo(respIndex);
    assertThat(m.getRejectHint()).isEqualTo(hintIndex);
    assertThat(m.getLogTerm()).isEqualTo(hintTerm);
  }

  /**
   * Paper 5.3: "If an existing entry conflicts with a new one (same index but different terms),
   * delete the existing entry and all that follow it; append any new entries not already in the
   * log." Entries already present are left alone.
   */
  @ParameterizedTest(name = "after ({0},{1}) append {2} -> {3}")
  @CsvSource({
    "2, 2, '3/3', '1/1 2/2 3/3'",
    "1, 1, '2/3 3/4', '1/1 2/3 3/4'",
    "0, 0, '1/1', '1/1 2/2'",
    "0, 0, '1/3', '1/3'",
    "1, 1, '2/2', '1/1 2/2'",
  })
  void followerAppendsAndTruncatesConflictingSuffix(
      long index, long logTerm, String sent, String want) {
    TestStorage s = storage(1, 2, 3).withTerms(1, 2);
    Raft r = newRaft(1, 10, 1, s);
    r.becomeFollower(2, 2);
    Message.Builder app =
        Message.newBuilder()
            .setFrom(2)
            .setTo(1)
            .setType(MessageType.MsgApp)
            .setTerm(2)
            .setLogTerm(logTerm)
            .setIndex(index);
    for (String e : sent.split(" ")) {
      String[] p = e.split("/");
      app.addEntries(entry(Long.parseLong(p[0]), Long.parseLong(p[1])));
    }
    r.step(app.build());
    assertThat(String.join(" ", RaftTestKit.ids(allEntries(r)))).isEqualTo(want);
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getReject()).isFalse();
      assertThat(m.getIndex()).isEqualTo(index + sent.split(" ").length);
    });
  }

  /**
   * Paper 5.3 and Figure 7: whatever state a follower's log is in — missing entries, extra
   * uncommitted entries, or both — the leader "forces the followers' logs to duplicate its own",
   * finding the latest point of agreement and overwriting everything after it.
   */
  @ParameterizedTest(name = "follower log {0}")
  @CsvSource({
    "'1 1 1 4 4 5 5 6 6'", // (a) missing one entry
    "'1 1 1 4'", // (b) missing many
    "'1 1 1 4 4 5 5 6 6 6 6'", // (c) one extra uncommitted entry
    "'1 1 1 4 4 5 5 6 6 6 7 7'", // (d) extra entries of a newer term
    "'1 1 1 4 4 4 4'", // (e) missing, and extra of an old term
    "'1 1 1 2 2 2 3 3 3 3 3'", // (f) a divergent history from terms 2 and 3
  })
  void leaderBringsAnyFollowerLogInLineWithItsOwn(String followerTerms) {
    long[] leaderLog = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
    long[] fl =
        java.util.Arrays.stream(followerTerms.split(" ")).mapToLong(Long::parseLong).toArray();
    TestStorage ls = storage(1, 2, 3).withTerms(leaderLog).withHardState(8, 0, 0);
    TestStorage fs = storage(1, 2, 3).withTerms(fl).withHardState(7, 0, 0);
    Raft leader = newRaft(1, 10, 1, ls);
    Raft follower = newRaft(2, 10, 1, fs);
    Network net = Network.of(leader, follower, Network.BLACK_HOLE);
    net.campaign(1);
    // The third server is unreachable; a vote of its own (for this term) completes the majority
    // in case the follower, whose log may be more up to date, refused.
    net.send(msg(3, 1, MessageType.MsgVoteResp, leader.term));
    net.propose(1, "x");
    assertThat(leader.state).isEqualTo(StateType.LEADER);
    assertThat(RaftTestKit.ids(allEntries(follower))).isEqualTo(RaftTestKit.ids(allEntries(leader)));
    assertThat(allEntries(leader)).hasSize(12);
    assertThat(follower.raftLog.committed).isEqualTo(12);
  }

  // --- 5.4 Safety -----------------------------------------------------------------------------

  /**
   * Paper 5.4.1: "The RequestVote RPC ... includes information about the candidate's log": the
   * index and term of its last entry.
   */
  @Test
  void voteRequestCarriesLastLogPosition() {
    TestStorage s = storage(1, 2, 3).withTerms(1, 2).withHardState(2, 0, 0);
    Raft r = newRaft(1, 10, 1, s);
    r.step(hup(1));
    List<Message> msgs = readMessages(r);
    assertThat(msgs)
        .extracting(Message::getType, Message::getTo, Message::getTerm, Message::getIndex,
            Message::getLogTerm)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgVote, 2L, 3L, 2L, 2L),
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgVote, 3L, 3L, 2L, 2L));
  }

  /**
   * Paper 5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the
   * candidate": a later last term wins; with equal last terms, the longer log wins.
   */
  @ParameterizedTest(name = "voter log {0}, candidate ({1},{2}) -> reject={3}")
  @CsvSource({
    "'1 1', 1, 2, false",
    "'1 1', 1, 3, false",
    "'1 1', 1, 1, true",
    "'1 1', 2, 1, false",
    "'1 1', 2, 5, false",
    "'1 2', 1, 5, true",
    "'1 2', 2, 2, false",
    "'1 2', 2, 1, true",
    "'1 2', 3, 1, false",
  })
  void voterRefusesCandidateWithLessUpToDateLog(
      String voterTerms, long candLogTerm, long candIndex, boolean reject) {
    long[] terms = java.util.Arrays.stream(voterTerms.split(" ")).mapToLong(Long::parseLong).toArray();
    Raft r = newRaft(1, 10, 1, storage(1, 2).withTerms(terms));
    r.step(
        Message.newBuilder()
            .setFrom(2)
            .setTo(1)
            .setType(MessageType.MsgVote)
            .setTerm(3)
            .setLogTerm(candLogTerm)
            .setIndex(candIndex)
            .build());
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgVoteResp);
      assertThat(m.getReject()).isEqualTo(reject);
    });
    assertThat(r.vote).isEqualTo(reject ? 0 : 2);
  }

  /**
   * Paper 5.4.2 and Figure 8: "Raft never commits log entries from previous terms by counting
   * replicas. Only log entries from the leader's current term are committed by counting."
   */
  @ParameterizedTest(name = "ack of index {0} -> commit {1}")
  @CsvSource({"1, 0", "2, 0", "3, 3"})
  void leaderCommitsOnlyByCountingEntriesOfItsOwnTerm(long ackIndex, long wantCommit) {
    TestStorage s = storage(1, 2).withTerms(1, 2).withHardState(2, 0, 0);
    Raft r = newRaft(1, 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    assertThat(r.term).isEqualTo(3);
    assertThat(r.raftLog.lastIndex()).isEqualTo(3);
    r.step(appResp(2, 1, 3, ackIndex));
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(wantCommit);
  }

  /** Paper 5.4.2: an entry from a previous term is not committed even when stored on all. */
  @Test
  void oldTermEntryOnEveryServerIsStillNotCommittedByCounting() {
    List<Entry> old = entries(1, 1, 1);
    TestStorage s = storage(1, 2, 3).withTerms(1, 1).withHardState(1, 0, 0);
    Raft r = newRaft(1, 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    // Everybody acknowledges exactly the old entries, not the new term's empty entry.
    r.step(appResp(2, 1, r.term, old.size()));
    r.step(appResp(3, 1, r.term, old.size()));
    readMessages(r);
    assertThat(r.raftLog.committed).isZero();
    r.step(appResp(2, 1, r.term, 3));
    assertThat(r.raftLog.committed).isEqualTo(3);
  }
}
