package dev.raftboot;

import static dev.raftboot.RaftTestKit.allEntries;
import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.bytes;
import static dev.raftboot.RaftTestKit.electAndCommitNoop;
import static dev.raftboot.RaftTestKit.entry;
import static dev.raftboot.RaftTestKit.ids;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.payloads;
import static dev.raftboot.RaftTestKit.persistAndApply;
import static dev.raftboot.RaftTestKit.prop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.votersAndLearners;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Log replication and commitment as a whole: the commit rule on the leader, commit propagation
 * through appends and heartbeats, stale and self-addressed messages, learners, and replication
 * across leader changes.
 */
class ReplicationTest {

  private static long[] parse(String s) {
    return Arrays.stream(s.trim().split(" ")).mapToLong(Long::parseLong).toArray();
  }

  /**
   * The leader commits the highest index a quorum has matched, provided that entry is of its
   * current term (paper 5.4.2).
   */
  @ParameterizedTest(name = "matches [{0}], log terms [{1}], term {2} -> commit {3}")
  @CsvSource({
    "'1', '1', 1, 1",
    "'1', '1', 2, 0",
    "'2', '1 2', 2, 2",
    "'1', '2', 2, 1",
    "'2 1 1', '1 2', 1, 1",
    "'2 1 1', '1 1', 2, 0",
    "'2 1 2', '1 2', 2, 2",
    "'2 1 2', '1 1', 2, 0",
    "'2 1 1 1', '1 2', 1, 1",
    "'2 1 1 1', '1 1', 2, 0",
    "'2 1 1 2', '1 2', 1, 1",
    "'2 1 1 2', '1 1', 2, 0",
    "'2 1 2 2', '1 2', 2, 2",
    "'2 1 2 2', '1 1', 2, 0",
  })
  void commitIsTheQuorumMatchOfTheCurrentTerm(
      String matches, String logTerms, long term, long want) {
    long[] ms = parse(matches);
    Raft r =
        newRaft(1, 10, 1, storage(RaftTestKit.ids(ms.length))
            .withTerms(parse(logTerms))
            .withHardState(term, 0, 0));
    for (int i = 0; i < ms.length; i++) {
      r.trk.progress().get((long) i + 1).setMatch(ms[i]);
    }
    r.maybeCommit();
    assertThat(r.raftLog.committed).isEqualTo(want);
  }

  /** A single voter commits its proposals at once. */
  @Test
  void singleNodeCommitsImmediately() {
    Network net = Network.of(1);
    net.campaign(1);
    net.propose(1, "some data");
    net.propose(1, "some data");
    assertThat(net.node(1).raftLog.committed).isEqualTo(3);
  }

  /**
   * Heartbeats carry the commit index up to what the follower is known to have; the follower
   * adopts it (never moving backwards) and echoes the heartbeat's context.
   */
  @Test
  void heartbeatsCarryCommitClampedToFollowerMatch() {
    Raft r = electAndCommitNoop(newRaft(1, 3));
    r.step(prop(1, "a"));
    r.step(prop(1, "b"));
    readMessages(r);
    r.step(appResp(2, 1, 1, 3));
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(3);
    r.step(msg(1, 1, MessageType.MsgBeat));
    assertThat(readMessages(r))
        .extracting(Message::getType, Message::getTo, Message::getCommit)
        .containsExactly(
            tuple(MessageType.MsgHeartbeat, 2L, 3L), tuple(MessageType.MsgHeartbeat, 3L, 1L));
  }

  @Test
  void followerTakesCommitFromHeartbeat() {
    Raft r = newRaft(2, 10, 1, storage(1, 2).withTerms(1, 2, 3).withHardState(3, 0, 1));
    r.becomeFollower(3, 1);
    r.step(msg(1, 2, MessageType.MsgHeartbeat, 3).toBuilder().setCommit(3).setContext(bytes("c")).build());
    assertThat(r.raftLog.committed).isEqualTo(3);
    assertThat(readMessages(r)).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgHeartbeatResp);
      assertThat(m.getTo()).isEqualTo(1);
      assertThat(m.getContext()).isEqualTo(bytes("c"));
    });
    r.step(msg(1, 2, MessageType.MsgHeartbeat, 3).toBuilder().setCommit(2).build());
    assertThat(r.raftLog.committed).isEqualTo(3);
  }

  /** Only a leader acts on MsgBeat. */
  @ParameterizedTest
  @EnumSource(
      value = StateType.class,
      names = {"FOLLOWER", "CANDIDATE", "PRE_CANDIDATE"})
  void beatIsIgnoredByNonLeaders(StateType state) {
    Raft r = newRaft(1, 3);
    switch (state) {
      case CANDIDATE -> r.becomeCandidate();
      case PRE_CANDIDATE -> r.becomePreCandidate();
      default -> r.becomeFollower(1, 2);
    }
    readMessages(r);
    r.step(msg(1, 1, MessageType.MsgBeat));
    assertThat(readMessages(r)).isEmpty();
  }

  /**
   * The leader's acknowledgement of its own entries is a message of its term. If the leader
   * stepped down before it arrived, it is stale and changes nothing.
   */
  @Test
  void staleSelfAcknowledgementAfterTermChangeIsIgnored() {
    Raft r = electAndCommitNoop(newRaft(1, 3));
    r.step(prop(1, "x"));
    List<Message> selfAcks =
        r.msgsAfterAppend.stream().filter(m -> m.getTo() == 1).toList();
    assertThat(selfAcks).singleElement().satisfies(m -> assertThat(m.getTerm()).isEqualTo(1));
    r.msgsAfterAppend.clear();
    readMessages(r);
    r.step(msg(2, 1, MessageType.MsgHeartbeat, 2));
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    for (Message m : selfAcks) {
      r.step(m);
    }
    assertThat(r.state).isEqualTo(StateType.FOLLOWER);
    assertThat(r.term).isEqualTo(2);
    assertThat(r.raftLog.committed).isEqualTo(1);
  }

  /** Learners receive the log and the commit index, but the leader does not wait for them. */
  @Test
  void learnersReplicateWithoutCounting() {
    Raft[] rs = new Raft[2];
    for (int i = 0; i < 2; i++) {
      rs[i] = newRaft(i + 1, 10, 1, storage(votersAndLearners(new long[] {1}, new long[] {2})));
    }
    Network net = Network.of(rs);
    net.campaign(1);
    net.propose(1, "somedata");
    assertThat(ids(allEntries(rs[1]))).isEqualTo(ids(allEntries(rs[0])));
    assertThat(rs[1].raftLog.committed).isEqualTo(2);
    assertThat(rs[0].trk.progress().get(2L).match()).isEqualTo(2);
    net.isolate(2);
    net.propose(1, "more");
    assertThat(rs[0].raftLog.committed).isEqualTo(3);
    assertThat(rs[1].raftLog.lastIndex()).isEqualTo(2);
  }

  /** Whoever leads, every member ends with the same log, committed and applied in order. */
  @Test
  void logsConvergeAcrossLeaderChanges() {
    Network net = Network.of(3);
    net.campaign(1);
    net.propose(1, "a");
    net.campaign(2);
    net.propose(1, "b");
    net.propose(3, "c");
    Raft leader = net.node(2);
    List<String> want = ids(allEntries(leader));
    assertThat(want).containsExactly("1/1", "2/1", "3/2", "4/2", "5/2");
    for (Raft r : net.peers.values()) {
      assertThat(ids(allEntries(r))).isEqualTo(want);
      assertThat(r.raftLog.committed).isEqualTo(5);
      assertThat(payloads(persistAndApply(r))).containsExactly("a", "b", "c");
    }
  }

  /** Messages of old terms, here an append from a deposed leader, are ignored. */
  @Test
  void oldTermMessagesAreIgnored() {
    Network net = Network.of(3);
    net.campaign(1);
    net.campaign(2);
    net.campaign(1);
    assertThat(net.node(1).term).isEqualTo(3);
    net.send(
        msg(2, 1, MessageType.MsgApp, 2)
            .toBuilder()
            .setIndex(3)
            .setLogTerm(2)
            .addEntries(entry(4, 2))
            .build());
    net.propose(1, "somedata");
    for (Raft r : net.peers.values()) {
      assertThat(ids(allEntries(r))).containsExactly("1/1", "2/2", "3/3", "4/3");
      assertThat(r.raftLog.committed).isEqualTo(4);
    }
  }

  /**
   * A new leader cannot commit entries of an old term it finds in its log until an entry of its
   * own term reaches a quorum; then everything before it commits too.
   */
  @Test
  void oldTermEntriesCommitOnlyWithNewTermEntry() {
    Network net = Network.of(5);
    net.campaign(1);
    net.cut(1, 3).cut(1, 4).cut(1, 5);
    net.propose(1, "some data");
    net.propose(1, "some data");
    assertThat(net.node(1).raftLog.committed).isEqualTo(1);
    net.recover();
    // Node 2 has the entries and wins, but its appends are lost for now.
    net.ignore(MessageType.MsgApp);
    net.campaign(2);
    Raft n2 = net.node(2);
    assertThat(n2.state).isEqualTo(StateType.LEADER);
    assertThat(n2.raftLog.lastIndex()).isEqualTo(4);
    assertThat(n2.raftLog.committed).isEqualTo(1);
    net.recover();
    net.send(msg(2, 2, MessageType.MsgBeat));
    for (Raft r : net.peers.values()) {
      assertThat(r.raftLog.committed).as("node %d", r.id).isEqualTo(4);
    }
  }
}
