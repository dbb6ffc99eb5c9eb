package dev.raftboot;

import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.bytes;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.handleAllReady;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.readIndex;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.votersAndLearners;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.RaftTestKit.Network;
import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Linearizable reads without log entries (thesis 6.4): ReadIndex confirmed by a heartbeat round
 * (ReadOnlySafe) or by the leader lease (ReadOnlyLeaseBased), on the leader and through followers
 * and learners; the deferral of reads until a new leader commits in its term; and the sequence
 * numbers that tie heartbeat acknowledgements to requests.
 */
class ReadOnlyTest {

  private static Network network(int n, ReadOnlyOption option) {
    Network net =
        Network.of(
            n,
            c -> {
              c.readOnlyOption(option);
              if (option == ReadOnlyOption.LEASE_BASED) {
                c.checkQuorum(true);
              }
            });
    net.campaign(1);
    return net;
  }

  private static ReadState rs(long index, String ctx) {
    return new ReadState(index, bytes(ctx));
  }

  /**
   * A read through any member returns the leader's commit index at the time of the request, once
   * that leadership is confirmed; the answer lands on the member that asked.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadOnlyOption.class)
  void readIndexThroughAnyMemberReturnsLeaderCommit(ReadOnlyOption option) {
    Network net = network(3, option);
    long[] askers = {1, 2, 3, 1, 2, 3};
    for (int i = 0; i < askers.length; i++) {
      long asker = askers[i];
      net.propose(1, "p" + i);
      long commit = net.node(1).raftLog.committed;
      String ctx = "ctx" + i;
      net.send(readIndex(asker, asker, ctx));
      Raft r = net.node(asker);
      assertThat(r.readStates).containsExactly(rs(commit, ctx));
      r.readStates.clear();
    }
    assertThat(net.node(1).readOnly.pendingCount()).isZero();
  }

  /**
   * ReadOnlySafe: the leader answers only after a heartbeat round confirms it still leads. The
   * heartbeats carry the request's stamp; the answer comes with the quorum's acknowledgements.
   */
  @Test
  void safeReadWaitsForQuorumOfHeartbeatAcks() {
    Raft r = RaftTestKit.electAndCommitNoop(newRaft(1, 3));
    r.step(readIndex(1, 1, "ctx"));
    List<Message> hbs = readMessages(r);
    assertThat(hbs).extracting(Message::getType, Message::getTo)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgHeartbeat, 2L),
            org.assertj.core.groups.Tuple.tuple(MessageType.MsgHeartbeat, 3L));
    ByteString stamp = hbs.get(0).getContext();
    assertThat(stamp.size()).isEqualTo(8);
    assertThat(hbs.get(1).getContext()).isEqualTo(stamp);
    assertThat(r.readStates).isEmpty();
    assertThat(r.readOnly.pendingCount()).isEqualTo(1);
    r.step(heartbeatResp(2, r.term, stamp));
    assertThat(r.readStates).containsExactly(rs(1, "ctx"));
    assertThat(r.readOnly.pendingCount()).isZero();
    // The third acknowledgement changes nothing.
    r.step(heartbeatResp(3, r.term, stamp));
    assertThat(r.readStates).hasSize(1);
  }

  private static Message heartbeatResp(long from, long term, ByteString ctx) {
    return Message.newBuilder()
        .setFrom(from)
        .setTo(1)
        .setType(MessageType.MsgHeartbeatResp)
        .setTerm(term)
        .setContext(ctx)
        .build();
  }

  /**
   * ReadOnlyLeaseBased: the leader relies on its lease and answers at once, without any message.
   */
  @Test
  void leaseBasedReadIsAnsweredImmediately() {
    Raft r =
        RaftTestKit.electAndCommitNoop(
            new Raft(
                config(1, 10, 1, storage(1, 2, 3))
                    .checkQuorum(true)
                    .readOnlyOption(ReadOnlyOption.LEASE_BASED)));
    r.step(readIndex(1, 1, "ctx"));
    assertThat(readMessages(r)).isEmpty();
    assertThat(r.readStates).containsExactly(rs(1, "ctx"));
  }

  /**
   * A new leader does not know the commit index until it commits an entry of its own term (paper
   * section 8). Reads wait until then, and are answered with the commit index at that point.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadOnlyOption.class)
  void newLeaderDefersReadsUntilFirstCommitInTerm(ReadOnlyOption option) {
    TestStorage s = storage(1, 2, 3).withTerms(1, 1).withHardState(1, 0, 1);
    Raft r =
        new Raft(
            config(1, 10, 1, s)
                .readOnlyOption(option)
                .checkQuorum(option == ReadOnlyOption.LEASE_BASED));
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(1);
    r.step(readIndex(1, 1, "early"));
    r.step(readIndex(2, 1, "remote"));
    assertThat(readMessages(r)).isEmpty();
    assertThat(r.readStates).isEmpty();
    assertThat(r.pendingReadIndexMessages).hasSize(2);
    // The empty entry of term 2 (index 3) commits.
    r.step(appResp(2, 1, 2, 3));
    assertThat(r.raftLog.committed).isEqualTo(3);
    assertThat(r.pendingReadIndexMessages).isEmpty();
    List<Message> msgs = readMessages(r);
    if (option == ReadOnlyOption.SAFE) {
      // Each released request started a heartbeat round; the last round's stamp covers both.
      List<Message> hbs = msgs.stream().filter(m -> m.getType() == MessageType.MsgHeartbeat).toList();
      assertThat(hbs).hasSize(4);
      ByteString stamp = hbs.get(3).getContext();
      r.step(heartbeatResp(3, 2, stamp));
      msgs = readMessages(r);
    }
    assertThat(r.readStates).containsExactly(rs(3, "early"));
    assertThat(msgs)
        .filteredOn(m -> m.getType() == MessageType.MsgReadIndexResp)
        .singleElement()
        .satisfies(m -> {
          assertThat(m.getTo()).isEqualTo(2);
          assertThat(m.getIndex()).isEqualTo(3);
          assertThat(m.getEntries(0).getData()).isEqualTo(bytes("remote"));
        });
  }

  /**
   * Requests with the same context are distinct requests: each one is answered, and each with the
   * commit index of its own arrival.
   */
  @Test
  void duplicateContextsAreAnsweredSeparately() {
    Network net = network(3, ReadOnlyOption.SAFE);
    net.ignore(MessageType.MsgHeartbeatResp);
    net.send(readIndex(1, 1, "dup"));
    net.propose(1, "more");
    net.send(readIndex(1, 1, "dup"));
    Raft r = net.node(1);
    assertThat(r.readOnly.pendingCount()).isEqualTo(2);
    net.recover();
    net.send(RaftTestKit.msg(1, 1, MessageType.MsgBeat));
    assertThat(r.readStates).containsExactly(rs(1, "dup"), rs(2, "dup"));
    assertThat(r.readOnly.pendingCount()).isZero();
  }

  /**
   * An acknowledgement confirms the requests stamped up to the heartbeat it answers, never a
   * later one: the leader might have been deposed in between.
   */
  @Test
  void oldAcknowledgementsDoNotConfirmNewerRequests() {
    Raft r = RaftTestKit.electAndCommitNoop(newRaft(1, 3));
    r.step(readIndex(1, 1, "first"));
    ByteString firstStamp = readMessages(r).get(0).getContext();
    r.step(readIndex(1, 1, "second"));
    ByteString secondStamp = readMessages(r).get(0).getContext();
    assertThat(secondStamp).isNotEqualTo(firstStamp);
    r.step(heartbeatResp(2, 1, firstStamp));
    r.step(heartbeatResp(3, 1, firstStamp));
    assertThat(r.readStates).containsExactly(rs(1, "first"));
    r.step(heartbeatResp(2, 1, secondStamp));
    assertThat(r.readStates).containsExactly(rs(1, "first"), rs(1, "second"));
  }

  /** Heartbeat responses with contexts that are not stamps, or stamps never issued, are ignored. */
  @ParameterizedTest(name = "context {0}")
  @ValueSource(strings = {"", "x", "12345678", "123456789"})
  void foreignContextsAreIgnored(String ctx) {
    Raft r = RaftTestKit.electAndCommitNoop(newRaft(1, 3));
    r.step(readIndex(1, 1, "req"));
    readMessages(r);
    r.step(heartbeatResp(2, 1, bytes(ctx)));
    r.step(heartbeatResp(3, 1, bytes(ctx)));
    assertThat(r.readStates).isEmpty();
    assertThat(r.readOnly.pendingCount()).isEqualTo(1);
  }

  /** A periodic heartbeat repeats the newest stamp while reads are pending, and none otherwise. */
  @Test
  void periodicHeartbeatCarriesPendingStamp() {
    Raft r = RaftTestKit.electAndCommitNoop(newRaft(1, 3));
    r.step(RaftTestKit.msg(1, 1, MessageType.MsgBeat));
    assertThat(readMessages(r)).allSatisfy(m -> assertThat(m.getContext()).isEmpty());
    r.step(readIndex(1, 1, "req"));
    ByteString stamp = readMessages(r).get(0).getContext();
    r.step(RaftTestKit.msg(1, 1, MessageType.MsgBeat));
    assertThat(readMessages(r)).allSatisfy(m -> assertThat(m.getContext()).isEqualTo(stamp));
    // The periodic heartbeat's acknowledgements serve the read as well.
    r.step(heartbeatResp(2, 1, stamp));
    assertThat(r.readStates).containsExactly(rs(1, "req"));
  }

  /** A learner's read is forwarded too; learners' acknowledgements do not count for the quorum. */
  @Test
  void learnerReadsThroughLeaderButDoesNotConfirm() {
    Raft[] rs = new Raft[2];
    for (int i = 0; i < 2; i++) {
      rs[i] = newRaft(i + 1, 10, 1, storage(votersAndLearners(new long[] {1}, new long[] {2})));
    }
    Network net = Network.of(rs);
    net.campaign(1);
    net.propose(1, "x");
    assertThat(rs[1].raftLog.committed).isEqualTo(2);
    net.send(readIndex(2, 2, "learner"));
    // The leader is the only voter: it answers at once.
    assertThat(rs[1].readStates).containsExactly(rs(2, "learner"));

    // With two voters and a learner, the learner's ack alone is not enough.
    Raft leader =
        RaftTestKit.electAndCommitNoop(
            newRaft(1, 10, 1, storage(votersAndLearners(new long[] {1, 2}, new long[] {3}))));
    leader.step(readIndex(1, 1, "ctx"));
    ByteString stamp = readMessages(leader).get(0).getContext();
    leader.step(heartbeatResp(3, leader.term, stamp));
    assertThat(leader.readStates).isEmpty();
    leader.step(heartbeatResp(2, leader.term, stamp));
    assertThat(leader.readStates).containsExactly(rs(1, "ctx"));
  }

  /** Without a known leader a follower has nobody to ask: the request is dropped. */
  @Test
  void followerWithoutLeaderDropsRead() {
    Raft r = newRaft(2, 3);
    r.step(readIndex(2, 2, "ctx"));
    assertThat(readMessages(r)).isEmpty();
    assertThat(r.readStates).isEmpty();
  }

  /** A malformed response (no entry holding the context) is ignored by the follower. */
  @Test
  void malformedReadIndexResponseIsIgnored() {
    Raft r = newRaft(2, 3);
    r.becomeFollower(1, 1);
    r.step(RaftTestKit.msg(1, 2, MessageType.MsgReadIndexResp, 1).toBuilder().setIndex(5).build());
    assertThat(r.readStates).isEmpty();
  }

  /**
   * Through RawNode, read states come out in the next Ready and are then gone: each is handed out
   * exactly once.
   */
  @Test
  void readStatesAreHandedOutOnceThroughReady() {
    TestStorage s = storage(1);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    rn.campaign();
    handleAllReady(rn, s.mem);
    assertThat(rn.raft.state).isEqualTo(StateType.LEADER);
    assertThat(rn.raft.raftLog.committed).isEqualTo(1);
    assertThat(rn.hasReady()).isFalse();
    rn.readIndex(bytes("ctx"));
    assertThat(rn.hasReady()).isTrue();
    Ready rd = rn.ready();
    assertThat(rd.readStates()).containsExactly(rs(1, "ctx"));
    rn.advance();
    assertThat(rn.hasReady()).isFalse();
    assertThat(rn.raft.readStates).isEmpty();
    rn.readIndex(bytes("again"));
    assertThat(rn.ready().readStates()).containsExactly(rs(1, "again"));
  }
}
