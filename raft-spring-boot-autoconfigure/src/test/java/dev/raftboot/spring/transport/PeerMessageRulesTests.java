package dev.raftboot.spring.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a correct peer can send, checked on the message alone. */
class PeerMessageRulesTests {


  @ParameterizedTest
  @EnumSource(
      value = MessageType.class,
      names = {
        "MsgApp", "MsgAppResp", "MsgVote", "MsgVoteResp", "MsgSnap", "MsgHeartbeat", "MsgHeartbeatResp",
        "MsgTransferLeader", "MsgTimeoutNow", "MsgReadIndexResp", "MsgPreVote", "MsgPreVoteResp"
      })
  void acceptsEveryProtocolMessageWithATerm(MessageType type) {
    assertThat(PeerMessageRules.violation(msg(type).setTerm(3).setIndex(7).setCommit(5).build())).isNull();
    assertThat(PeerMessageRules.violation(msg(type).build())).isEqualTo("has no term");
  }

  @Test
  void acceptsForwardedRequestsWithoutATerm() {
    assertThat(PeerMessageRules.violation(msg(MessageType.MsgProp).addEntries(data("x")).build())).isNull();
    assertThat(PeerMessageRules.violation(msg(MessageType.MsgReadIndex).addEntries(data("ctx")).build()))
        .isNull();
    assertThat(PeerMessageRules.violation(msg(MessageType.MsgProp).setTerm(2).addEntries(data("x")).build()))
        .isEqualTo("is forwarded to the leader without a term, but has term 2");
  }

  @ParameterizedTest
  @EnumSource(
      value = MessageType.class,
      names = {
        "MsgHup", "MsgBeat", "MsgUnreachable", "MsgSnapStatus", "MsgCheckQuorum", "MsgStorageAppend",
        "MsgStorageAppendResp", "MsgStorageApply", "MsgStorageApplyResp"
      })
  void refusesLocalTypes(MessageType type) {
    assertThat(PeerMessageRules.violation(msg(type).setTerm(1).build()))
        .isEqualTo("is local to a node and never sent to peers");
  }

  @Test
  void refusesTypesRaftNeverSendsToAPeer() {
    assertThat(PeerMessageRules.violation(msg(MessageType.MsgForgetLeader).setTerm(1).build()))
        .isEqualTo("is never sent to peers");
  }

  @Test
  void refusesAMessageWithoutAKnownType() throws Exception {
    byte[] withUnknownType =
        concat(new byte[] {0x08, 0x63}, msg(MessageType.MsgApp).clearType().setTerm(1).build().toByteArray());

    assertThat(PeerMessageRules.violation(Message.parseFrom(withUnknownType)))
        .isEqualTo("has no type, or one this node does not know");
  }

  @Test
  void refusesNumbersOf2To63OrMore() {
    Message ok = msg(MessageType.MsgAppResp).setTerm(1).build();
    assertThat(PeerMessageRules.violation(ok.toBuilder().setTerm(-1).build()))
        .isEqualTo("has a term of 2^63 or more, which no raft node reaches");
    assertThat(PeerMessageRules.violation(ok.toBuilder().setIndex(Long.MIN_VALUE).build())).contains("index");
    assertThat(PeerMessageRules.violation(ok.toBuilder().setLogTerm(-5).build())).contains("logTerm");
    assertThat(PeerMessageRules.violation(ok.toBuilder().setCommit(-5).build())).contains("commit");
    assertThat(PeerMessageRules.violation(ok.toBuilder().setRejectHint(-5).build())).contains("rejectHint");
    assertThat(
            PeerMessageRules.violation(
                msg(MessageType.MsgProp).addEntries(data("x").toBuilder().setIndex(-1)).build()))
        .isEqualTo("has entry 0 with a term or index of 2^63 or more, which no raft node reaches");
    Message snap =
        msg(MessageType.MsgSnap)
            .setTerm(1)
            .setSnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(-1).setTerm(1)))
            .build();
    assertThat(PeerMessageRules.violation(snap)).contains("snapshot index");
    assertThat(PeerMessageRules.violation(ok.toBuilder().setTerm(Long.MAX_VALUE).build())).isNull();
  }

  @Test
  void acceptsAnAppendAsALeaderSendsIt() {
    Message app =
        msg(MessageType.MsgApp)
            .setTerm(5)
            .setIndex(10)
            .setLogTerm(2)
            .addEntries(entry(11, 2))
            .addEntries(entry(12, 4))
            .addEntries(entry(13, 5))
            .setCommit(11)
            .build();

    assertThat(PeerMessageRules.violation(app)).isNull();
  }

  @Test
  void refusesAnAppendWhoseEntriesDoNotFollowItsIndex() {
    Message.Builder app = msg(MessageType.MsgApp).setTerm(5).setIndex(10).setLogTerm(5);

    assertThat(PeerMessageRules.violation(app.clone().addEntries(entry(12, 5)).build()))
        .isEqualTo("has entry 0 at index 12 where 11 follows");
    assertThat(PeerMessageRules.violation(app.clone().addEntries(entry(11, 5)).addEntries(entry(11, 5)).build()))
        .isEqualTo("has entry 1 at index 11 where 12 follows");
  }

  @Test
  void refusesAnAppendWhoseEntryTermsDoNotFit() {
    Message.Builder app = msg(MessageType.MsgApp).setTerm(5).setIndex(10).setLogTerm(3);

    assertThat(PeerMessageRules.violation(app.clone().addEntries(entry(11, 2)).build()))
        .isEqualTo("has entry 0 of term 2, outside [3, 5]");
    assertThat(PeerMessageRules.violation(app.clone().addEntries(entry(11, 4)).addEntries(entry(12, 3)).build()))
        .isEqualTo("has entry 1 of term 3, outside [4, 5]");
    assertThat(PeerMessageRules.violation(app.clone().addEntries(entry(11, 6)).build()))
        .isEqualTo("has entry 0 of term 6, outside [3, 5]");
  }

  @Test
  void refusesAProposalWithoutEntriesAndAReadRequestWithoutExactlyOneContext() {
    assertThat(PeerMessageRules.violation(msg(MessageType.MsgProp).build())).isEqualTo("proposes no entry");
    assertThat(PeerMessageRules.violation(msg(MessageType.MsgReadIndex).build()))
        .isEqualTo("carries 0 entries instead of one request context");
    assertThat(
            PeerMessageRules.violation(
                msg(MessageType.MsgReadIndex).addEntries(data("a")).addEntries(data("b")).build()))
        .isEqualTo("carries 2 entries instead of one request context");
  }

  @Test
  void refusesConfChangesThatDoNotDecode() {
    Entry good =
        Entry.newBuilder()
            .setType(EntryType.EntryConfChange)
            .setData(
                ConfChange.newBuilder()
                    .setType(ConfChangeType.ConfChangeAddLearnerNode)
                    .setNodeId(4)
                    .build()
                    .toByteString())
            .build();
    Entry bad = good.toBuilder().setData(ByteString.copyFrom(new byte[] {(byte) 0xFF, 1})).build();
    Entry badV2 = bad.toBuilder().setType(EntryType.EntryConfChangeV2).build();

    assertThat(PeerMessageRules.violation(msg(MessageType.MsgProp).addEntries(good).build())).isNull();
    assertThat(PeerMessageRules.violation(msg(MessageType.MsgProp).addEntries(bad).build()))
        .isEqualTo("has entry 0 whose EntryConfChange does not decode");
    Message app =
        msg(MessageType.MsgApp)
            .setTerm(2)
            .setIndex(1)
            .setLogTerm(1)
            .addEntries(entry(2, 2))
            .addEntries(badV2.toBuilder().setIndex(3).setTerm(2))
            .build();
    assertThat(PeerMessageRules.violation(app)).isEqualTo("has entry 1 whose EntryConfChangeV2 does not decode");
  }

  private static Message.Builder msg(MessageType type) {
    return Message.newBuilder().setType(type).setFrom(1).setTo(2);
  }

  private static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFromUtf8("e" + index)).build();
  }

  private static Entry data(String s) {
    return Entry.newBuilder().setData(ByteString.copyFromUtf8(s)).build();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // --- the sender check ---

  private static final Set<MessageType> FORWARDED_AS_IS =
      EnumSet.of(MessageType.MsgProp, MessageType.MsgReadIndex, MessageType.MsgTransferLeader);

  @ParameterizedTest
  @EnumSource(MessageType.class)
  void onlyWhatRaftForwardsMayCarryAnotherMembersFrom(MessageType type) {
    Message fromOther = Message.newBuilder().setType(type).setFrom(3).setTo(2).build();
    Message fromSender = fromOther.toBuilder().setFrom(1).build();
    Message fromStranger = fromOther.toBuilder().setFrom(9).build();

    assertThat(PeerMessageRules.senderViolation(fromSender, 1, id -> id <= 3)).isNull();
    assertThat(PeerMessageRules.senderViolation(fromStranger, 1, id -> id <= 3)).isNotNull();
    if (FORWARDED_AS_IS.contains(type)) {
      assertThat(PeerMessageRules.senderViolation(fromOther, 1, id -> id <= 3)).isNull();
    } else {
      assertThat(PeerMessageRules.senderViolation(fromOther, 1, id -> id <= 3))
          .isEqualTo("claims to come from node 3 but the request is from node 1");
    }
  }
}
