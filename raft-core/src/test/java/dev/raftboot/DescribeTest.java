package dev.raftboot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeTransition;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescribeTest {

  private static ByteString bytes(int... bs) {
    byte[] a = new byte[bs.length];
    for (int i = 0; i < bs.length; i++) {
      a[i] = (byte) bs[i];
    }
    return ByteString.copyFrom(a);
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  private static Entry normal(long term, long index, String data) {
    return Entry.newBuilder()
        .setTerm(term)
        .setIndex(index)
        .setType(EntryType.EntryNormal)
        .setData(utf8(data))
        .build();
  }

  private static ConfChangeSingle single(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  private static Entry ccV2(long term, long index, ConfChangeSingle... changes) {
    ConfChangeV2 cc = ConfChangeV2.newBuilder().addAllChanges(List.of(changes)).build();
    return Entry.newBuilder()
        .setTerm(term)
        .setIndex(index)
        .setType(EntryType.EntryConfChangeV2)
        .setData(cc.toByteString())
        .build();
  }

  private static ConfState cs(List<Long> voters, List<Long> outgoing, boolean autoLeave) {
    return ConfState.newBuilder()
        .addAllVoters(voters)
        .addAllVotersOutgoing(outgoing)
        .setAutoLeave(autoLeave)
        .build();
  }

  private static Snapshot snap(long index, long term, ConfState cs) {
    return Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(cs))
        .build();
  }

  private static Message.Builder msg(MessageType t, long from, long to, long term) {
    return Message.newBuilder().setType(t).setFrom(from).setTo(to).setTerm(term);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void targets() {
    assertThat(Describe.target(0)).isEqualTo("None");
    assertThat(Describe.target(RaftUtil.LOCAL_APPEND_THREAD)).isEqualTo("AppendThread");
    assertThat(Describe.target(RaftUtil.LOCAL_APPLY_THREAD)).isEqualTo("ApplyThread");
    assertThat(Describe.target(7)).isEqualTo("7");
    assertThat(Describe.target(26)).isEqualTo("1a");
    assertThat(Describe.target(-3L)).isEqualTo("fffffffffffffffd");
  }

  @Test
  void quoteAscii() {
    assertThat(Describe.goQuote(ByteString.EMPTY)).isEqualTo("\"\"");
    assertThat(Describe.goQuote(utf8("prop_1"))).isEqualTo("\"prop_1\"");
    assertThat(Describe.goQuote(utf8("\"foo\""))).isEqualTo("\"\\\"foo\\\"\"");
    assertThat(Describe.goQuote(utf8("a\\b"))).isEqualTo("\"a\\\\b\"");
    assertThat(Describe.goQuote(utf8("hello\0world"))).isEqualTo("\"hello\\x00world\"");
    assertThat(Describe.goQuote(bytes(7, 8, 12, 10, 13, 9, 11)))
        .isEqualTo("\"\\a\\b\\f\\n\\r\\t\\v\"");
    assertThat(Describe.goQuote(bytes(0x1b, 0x7f, 0x1f))).isEqualTo("\"\\x1b\\x7f\\x1f\"");
    assertThat(Describe.goQuote(utf8(" ~'`"))).isEqualTo("\" ~'`\"");
  }

  @Test
  void quoteValidUtf8() {
    // printable characters stay literal
    assertThat(Describe.goQuote(utf8("∞"))).isEqualTo("\"∞\"");
    assertThat(Describe.goQuote(utf8("héllo wörld"))).isEqualTo("\"héllo wörld\"");
    assertThat(Describe.goQuote(utf8("日本語"))).isEqualTo("\"日本語\"");
    assertThat(Describe.goQuote(utf8("\uD83D\uDE00"))).isEqualTo("\"\uD83D\uDE00\"");
    // U+FFFD encoded properly is a printable character
    assertThat(Describe.goQuote(bytes(0xef, 0xbf, 0xbd))).isEqualTo("\"\uFFFD\"");
    // non-printable: C1 controls, no-break space, soft hyphen, BOM, private use, line separator
    assertThat(Describe.goQuote(utf8("\u0085"))).isEqualTo("\"\\u0085\"");
    assertThat(Describe.goQuote(utf8("\u00a0"))).isEqualTo("\"\\u00a0\"");
    assertThat(Describe.goQuote(utf8("\u00ad"))).isEqualTo("\"\\u00ad\"");
    assertThat(Describe.goQuote(utf8("\ufeff"))).isEqualTo("\"\\ufeff\"");
    assertThat(Describe.goQuote(utf8("\u2028"))).isEqualTo("\"\\u2028\"");
    assertThat(Describe.goQuote(utf8("\ue000"))).isEqualTo("\"\\ue000\"");
    // supplementary private use: eight-digit escape
    assertThat(Describe.goQuote(utf8(new String(Character.toChars(0xF0000)))))
        .isEqualTo("\"\\U000f0000\"");
    // non-BMP unassigned (plane 3 tail) is not printable
    assertThat(Describe.goQuote(utf8(new String(Character.toChars(0x10FFFF)))))
        .isEqualTo("\"\\U0010ffff\"");
  }

  @Test
  void quoteInvalidUtf8() {
    assertThat(Describe.goQuote(bytes(0xff))).isEqualTo("\"\\xff\"");
    assertThat(Describe.goQuote(bytes(0x80, 0x41))).isEqualTo("\"\\x80A\"");
    // truncated two-byte sequence
    assertThat(Describe.goQuote(bytes(0xc3))).isEqualTo("\"\\xc3\"");
    // truncated three-byte sequence: each byte escaped on its own
    assertThat(Describe.goQuote(bytes(0xe2, 0x88))).isEqualTo("\"\\xe2\\x88\"");
    // overlong forms
    assertThat(Describe.goQuote(bytes(0xc0, 0xaf))).isEqualTo("\"\\xc0\\xaf\"");
    assertThat(Describe.goQuote(bytes(0xe0, 0x80, 0xaf))).isEqualTo("\"\\xe0\\x80\\xaf\"");
    assertThat(Describe.goQuote(bytes(0xf0, 0x80, 0x80, 0xaf)))
        .isEqualTo("\"\\xf0\\x80\\x80\\xaf\"");
    // surrogate half encoded directly
    assertThat(Describe.goQuote(bytes(0xed, 0xa0, 0x80))).isEqualTo("\"\\xed\\xa0\\x80\"");
    // beyond U+10FFFF
    assertThat(Describe.goQuote(bytes(0xf4, 0x90, 0x80, 0x80)))
        .isEqualTo("\"\\xf4\\x90\\x80\\x80\"");
    // invalid then valid
    assertThat(Describe.goQuote(bytes(0xe2, 0xe2, 0x88, 0x9e))).isEqualTo("\"\\xe2∞\"");
  }

  @Test
  void entryFormats() {
    assertThat(Describe.entry(normal(1, 3, ""))).isEqualTo("1/3 EntryNormal \"\"");
    assertThat(Describe.entry(normal(1, 12, "prop_1"))).isEqualTo("1/12 EntryNormal \"prop_1\"");
    assertThat(Describe.entry(normal(1, 12, "prop_1"), b -> b.toStringUtf8()))
        .isEqualTo("1/12 EntryNormal prop_1");
    assertThat(Describe.entry(normal(1, 12, "x"), b -> "")).isEqualTo("1/12 EntryNormal");

    ConfChange v1 =
        ConfChange.newBuilder().setType(ConfChangeType.ConfChangeRemoveNode).setNodeId(1).build();
    Entry e1 =
        Entry.newBuilder()
            .setTerm(1)
            .setIndex(4)
            .setType(EntryType.EntryConfChange)
            .setData(v1.toByteString())
            .build();
    assertThat(Describe.entry(e1)).isEqualTo("1/4 EntryConfChange r1");

    assertThat(
            Describe.entry(
                ccV2(
                    1,
                    4,
                    single(ConfChangeType.ConfChangeAddNode, 2),
                    single(ConfChangeType.ConfChangeAddNode, 3))))
        .isEqualTo("1/4 EntryConfChangeV2 v2 v3");
    assertThat(
            Describe.entry(
                ccV2(
                    1,
                    5,
                    single(ConfChangeType.ConfChangeAddLearnerNode, 2),
                    single(ConfChangeType.ConfChangeAddLearnerNode, 3))))
        .isEqualTo("1/5 EntryConfChangeV2 l2 l3");
    assertThat(
            Describe.entry(
                ccV2(
                    1,
                    4,
                    single(ConfChangeType.ConfChangeRemoveNode, 1),
                    single(ConfChangeType.ConfChangeAddNode, 4))))
        .isEqualTo("1/4 EntryConfChangeV2 r1 v4");
    assertThat(Describe.entry(ccV2(1, 5))).isEqualTo("1/5 EntryConfChangeV2");
    // a forwarded proposal has no term and index yet
    assertThat(Describe.entry(ccV2(0, 0))).isEqualTo("0/0 EntryConfChangeV2");

    // undecodable conf change: payload is the error text, so something follows the type
    Entry bad =
        Entry.newBuilder()
            .setTerm(1)
            .setIndex(2)
            .setType(EntryType.EntryConfChangeV2)
            .setData(bytes(0xff, 0xff))
            .build();
    assertThat(Describe.entry(bad)).startsWith("1/2 EntryConfChangeV2 ").hasSizeGreaterThan(22);

    assertThat(Describe.entries(List.of(normal(1, 1, "a"), normal(2, 2, ""))))
        .isEqualTo("1/1 EntryNormal \"a\"\n2/2 EntryNormal \"\"\n");
    assertThat(Describe.entries(List.of())).isEmpty();
  }

  @Test
  void confChangesTokens() {
    assertThat(
            Describe.confChanges(
                List.of(
                    single(ConfChangeType.ConfChangeAddNode, 2),
                    single(ConfChangeType.ConfChangeAddLearnerNode, 3),
                    single(ConfChangeType.ConfChangeRemoveNode, 1),
                    single(ConfChangeType.ConfChangeUpdateNode, 4))))
        .isEqualTo("v2 l3 r1 u4");
    assertThat(Describe.confChanges(List.of())).isEmpty();
    // a type number this build does not know
    ConfChangeSingle unknown =
        ConfChangeSingle.newBuilder()
            .setNodeId(9)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(
                        ConfChangeSingle.TYPE_FIELD_NUMBER,
                        UnknownFieldSet.Field.newBuilder().addVarint(42).build())
                    .build())
            .build();
    assertThat(Describe.confChanges(List.of(unknown, single(ConfChangeType.ConfChangeAddNode, 1))))
        .isEqualTo("unknown9 v1");
  }

  @Test
  void messageSimple() {
    assertThat(
            Describe.message(
                msg(MessageType.MsgApp, 1, 2, 1)
                    .setLogTerm(1)
                    .setIndex(2)
                    .setCommit(2)
                    .addEntries(normal(1, 3, ""))
                    .build()))
        .isEqualTo("1->2 MsgApp Term:1 Log:1/2 Commit:2 Entries:[1/3 EntryNormal \"\"]");
    assertThat(
            Describe.message(
                msg(MessageType.MsgAppResp, 3, 2, 2)
                    .setLogTerm(1)
                    .setIndex(4)
                    .setReject(true)
                    .setRejectHint(3)
                    .build()))
        .isEqualTo("3->2 MsgAppResp Term:2 Log:1/4 Rejected (Hint: 3)");
    assertThat(
            Describe.message(
                msg(MessageType.MsgPreVoteResp, 1, 3, 1).setReject(true).build()))
        .isEqualTo("1->3 MsgPreVoteResp Term:1 Log:0/0 Rejected (Hint: 0)");
    assertThat(Describe.message(msg(MessageType.MsgHeartbeat, 1, 3, 1).build()))
        .isEqualTo("1->3 MsgHeartbeat Term:1 Log:0/0");
    assertThat(Describe.message(msg(MessageType.MsgTimeoutNow, 1, 4, 1).build()))
        .isEqualTo("1->4 MsgTimeoutNow Term:1 Log:0/0");
    assertThat(
            Describe.message(
                msg(MessageType.MsgProp, 4, 1, 0).addEntries(ccV2(0, 0)).build()))
        .isEqualTo("4->1 MsgProp Term:0 Log:0/0 Entries:[0/0 EntryConfChangeV2]");
    // the context is never shown
    assertThat(
            Describe.message(
                msg(MessageType.MsgHeartbeat, 1, 2, 3).setContext(utf8("ctx")).build()))
        .isEqualTo("1->2 MsgHeartbeat Term:3 Log:0/0");
    // hex IDs in the header, decimal vote
    assertThat(Describe.message(msg(MessageType.MsgVote, 26, 11, 5).setVote(26).build()))
        .isEqualTo("1a->b MsgVote Term:5 Log:0/0 Vote:26");
  }

  @Test
  void messageWithManyEntries() {
    Message m =
        msg(MessageType.MsgApp, 2, 3, 2)
            .setLogTerm(1)
            .setIndex(3)
            .setCommit(4)
            .addEntries(ccV2(1, 4, single(ConfChangeType.ConfChangeAddNode, 3)))
            .addEntries(normal(2, 5, ""))
            .build();
    assertThat(Describe.message(m))
        .isEqualTo(
            "2->3 MsgApp Term:2 Log:1/3 Commit:4 Entries:[\n"
                + "  1/4 EntryConfChangeV2 v3\n"
                + "  2/5 EntryNormal \"\"\n"
                + "]");
  }

  @Test
  void messageWithSnapshot() {
    Message m =
        msg(MessageType.MsgSnap, 1, 3, 1)
            .setSnapshot(snap(11, 1, cs(List.of(1L, 2L, 3L), List.of(), false)))
            .build();
    assertThat(Describe.message(m))
        .isEqualTo(
            "1->3 MsgSnap Term:1 Log:0/0\n"
                + "  Snapshot: Index:11 Term:1 ConfState:Voters:[1 2 3] VotersOutgoing:[] Learners:[]"
                + " LearnersNext:[] AutoLeave:false");
    // an empty snapshot (index 0) is not shown
    Message empty =
        msg(MessageType.MsgSnap, 1, 3, 1).setSnapshot(Snapshot.getDefaultInstance()).build();
    assertThat(Describe.message(empty)).isEqualTo("1->3 MsgSnap Term:1 Log:0/0");
  }

  @Test
  void messageWithResponses() {
    Message append =
        msg(MessageType.MsgStorageAppend, 1, RaftUtil.LOCAL_APPEND_THREAD, 0)
            .addEntries(normal(1, 11, ""))
            .addResponses(msg(MessageType.MsgAppResp, 1, 1, 1).setIndex(11))
            .addResponses(
                msg(MessageType.MsgStorageAppendResp, RaftUtil.LOCAL_APPEND_THREAD, 1, 1)
                    .setLogTerm(1)
                    .setIndex(11))
            .build();
    assertThat(Describe.message(append))
        .isEqualTo(
            "1->AppendThread MsgStorageAppend Term:0 Log:0/0 Entries:[1/11 EntryNormal \"\"]"
                + " Responses:[\n"
                + "  1->1 MsgAppResp Term:1 Log:0/11\n"
                + "  AppendThread->1 MsgStorageAppendResp Term:1 Log:1/11\n"
                + "]");

    Message hs =
        msg(MessageType.MsgStorageAppend, 1, RaftUtil.LOCAL_APPEND_THREAD, 1)
            .setCommit(10)
            .setVote(1)
            .addResponses(msg(MessageType.MsgVoteResp, 1, 1, 1))
            .build();
    assertThat(Describe.message(hs))
        .isEqualTo(
            "1->AppendThread MsgStorageAppend Term:1 Log:0/0 Commit:10 Vote:1 Responses:[\n"
                + "  1->1 MsgVoteResp Term:1 Log:0/0\n"
                + "]");

    Message apply =
        msg(MessageType.MsgStorageApply, 1, RaftUtil.LOCAL_APPLY_THREAD, 0)
            .addEntries(normal(1, 11, ""))
            .addResponses(
                msg(MessageType.MsgStorageApplyResp, RaftUtil.LOCAL_APPLY_THREAD, 1, 0)
                    .addEntries(normal(1, 11, "")))
            .build();
    assertThat(Describe.message(apply))
        .isEqualTo(
            "1->ApplyThread MsgStorageApply Term:0 Log:0/0 Entries:[1/11 EntryNormal \"\"]"
                + " Responses:[\n"
                + "  ApplyThread->1 MsgStorageApplyResp Term:0 Log:0/0 Entries:[1/11 EntryNormal \"\"]\n"
                + "]");

    // nesting: a response with several entries and a snapshot is indented one level deeper
    Message nested =
        msg(MessageType.MsgStorageAppend, 1, RaftUtil.LOCAL_APPEND_THREAD, 0)
            .addResponses(
                msg(MessageType.MsgApp, 1, 2, 1)
                    .addEntries(normal(1, 1, "a"))
                    .addEntries(normal(1, 2, "b"))
                    .setSnapshot(snap(4, 1, cs(List.of(1L), List.of(), false))))
            .build();
    assertThat(Describe.message(nested))
        .isEqualTo(
            "1->AppendThread MsgStorageAppend Term:0 Log:0/0 Responses:[\n"
                + "  1->2 MsgApp Term:1 Log:0/0 Entries:[\n"
                + "    1/1 EntryNormal \"a\"\n"
                + "    1/2 EntryNormal \"b\"\n"
                + "  ]\n"
                + "    Snapshot: Index:4 Term:1 ConfState:Voters:[1] VotersOutgoing:[] Learners:[]"
                + " LearnersNext:[] AutoLeave:false\n"
                + "]");
  }

  @Test
  void states() {
    assertThat(
            Describe.hardState(HardState.newBuilder().setTerm(1).setVote(1).setCommit(2).build()))
        .isEqualTo("Term:1 Vote:1 Commit:2");
    assertThat(Describe.hardState(HardState.newBuilder().setTerm(1).build()))
        .isEqualTo("Term:1 Commit:0");
    assertThat(Describe.softState(new SoftState(0, StateType.CANDIDATE)))
        .isEqualTo("Lead:0 State:StateCandidate");
    assertThat(Describe.softState(new SoftState(3, StateType.PRE_CANDIDATE)))
        .isEqualTo("Lead:3 State:StatePreCandidate");
    assertThat(Describe.confState(cs(List.of(1L, 2L, 3L), List.of(1L), true)))
        .isEqualTo(
            "Voters:[1 2 3] VotersOutgoing:[1] Learners:[] LearnersNext:[] AutoLeave:true");
    assertThat(
            Describe.confState(
                ConfState.newBuilder().addLearners(3).addLearnersNext(1).addVoters(2).build()))
        .isEqualTo("Voters:[2] VotersOutgoing:[] Learners:[3] LearnersNext:[1] AutoLeave:false");
    assertThat(Describe.confState(ConfState.getDefaultInstance()))
        .isEqualTo("Voters:[] VotersOutgoing:[] Learners:[] LearnersNext:[] AutoLeave:false");
    assertThat(Describe.snapshot(snap(4, 1, cs(List.of(1L, 2L, 3L), List.of(1L), true))))
        .isEqualTo(
            "Index:4 Term:1 ConfState:Voters:[1 2 3] VotersOutgoing:[1] Learners:[] LearnersNext:[]"
                + " AutoLeave:true");
  }

  private static Ready ready(
      SoftState ss,
      HardState hs,
      List<ReadState> rs,
      List<Entry> ents,
      Snapshot snap,
      List<Entry> committed,
      List<Message> msgs,
      boolean mustSync) {
    return new Ready(ss, hs, rs, ents, snap, committed, msgs, mustSync);
  }

  @Test
  void readyEmpty() {
    Ready rd =
        ready(
            null,
            HardState.getDefaultInstance(),
            List.of(),
            List.of(),
            Snapshot.getDefaultInstance(),
            List.of(),
            List.of(),
            false);
    assertThat(Describe.ready(rd)).isEqualTo("<empty Ready>");
  }

  @Test
  void readyFull() {
    Ready rd =
        ready(
            new SoftState(0, StateType.CANDIDATE),
            HardState.newBuilder().setTerm(1).setVote(1).setCommit(3).build(),
            List.of(new ReadState(11, utf8("ctx")), new ReadState(12, ByteString.EMPTY)),
            List.of(normal(1, 4, "")),
            snap(3, 1, cs(List.of(1L), List.of(), false)),
            List.of(normal(1, 2, "x")),
            List.of(msg(MessageType.MsgVote, 1, 2, 1).setLogTerm(1).setIndex(10).build()),
            true);
    assertThat(Describe.ready(rd))
        .isEqualTo(
            "Ready MustSync=true:\n"
                + "Lead:0 State:StateCandidate\n"
                + "HardState Term:1 Vote:1 Commit:3\n"
                + "ReadStates [{11 [99 116 120]} {12 []}]\n"
                + "Entries:\n"
                + "1/4 EntryNormal \"\"\n"
                + "Snapshot Index:3 Term:1 ConfState:Voters:[1] VotersOutgoing:[] Learners:[]"
                + " LearnersNext:[] AutoLeave:false\n"
                + "CommittedEntries:\n"
                + "1/2 EntryNormal \"x\"\n"
                + "Messages:\n"
                + "1->2 MsgVote Term:1 Log:1/10\n");
  }

  @Test
  void readyPartial() {
    Ready rd =
        ready(
            null,
            HardState.newBuilder().setTerm(1).setVote(1).setCommit(4).build(),
            List.of(),
            List.of(),
            Snapshot.getDefaultInstance(),
            List.of(normal(1, 4, "")),
            List.of(),
            false);
    assertThat(Describe.ready(rd))
        .isEqualTo(
            "Ready MustSync=false:\n"
                + "HardState Term:1 Vote:1 Commit:4\n"
                + "CommittedEntries:\n"
                + "1/4 EntryNormal \"\"\n");
    Ready onlyRead =
        ready(
            null,
            HardState.getDefaultInstance(),
            List.of(new ReadState(11, utf8("ctx"))),
            List.of(),
            Snapshot.getDefaultInstance(),
            List.of(),
            List.of(),
            false);
    assertThat(Describe.ready(onlyRead))
        .isEqualTo("Ready MustSync=false:\nReadStates [{11 [99 116 120]}]\n");
  }

  @Test
  void confChangeDescriptions() {
    ConfChangeV2 cc =
        ConfChangeV2.newBuilder()
            .setTransition(ConfChangeTransition.ConfChangeTransitionAuto)
            .addChanges(single(ConfChangeType.ConfChangeAddNode, 3))
            .addChanges(single(ConfChangeType.ConfChangeAddNode, 4))
            .addChanges(single(ConfChangeType.ConfChangeAddNode, 5))
            .build();
    assertThat(Describe.confChange(cc))
        .isEqualTo(
            "transition:ConfChangeTransitionAuto changes:{type:ConfChangeAddNode node_id:3}"
                + " changes:{type:ConfChangeAddNode node_id:4}"
                + " changes:{type:ConfChangeAddNode node_id:5}");
    assertThat(Describe.confChange(ConfChangeV2.getDefaultInstance()))
        .isEqualTo("transition:ConfChangeTransitionAuto");
    assertThat(
            Describe.confChange(
                ConfChangeV2.newBuilder()
                    .setTransition(ConfChangeTransition.ConfChangeTransitionJointExplicit)
                    .addChanges(single(ConfChangeType.ConfChangeAddLearnerNode, 2))
                    .setContext(utf8("c\"x"))
                    .build()))
        .isEqualTo(
            "transition:ConfChangeTransitionJointExplicit"
                + " changes:{type:ConfChangeAddLearnerNode node_id:2} context:\"c\\\"x\"");
    // V1 is converted first: automatic transition, one change, context kept
    assertThat(
            Describe.confChange(
                ConfChange.newBuilder()
                    .setType(ConfChangeType.ConfChangeRemoveNode)
                    .setNodeId(1)
                    .setContext(utf8("ctx"))
                    .build()))
        .isEqualTo(
            "transition:ConfChangeTransitionAuto changes:{type:ConfChangeRemoveNode node_id:1}"
                + " context:\"ctx\"");
  }

  @Test
  void readStates() {
    assertThat(Describe.readStates(List.of(new ReadState(11, utf8("ctx")))))
        .isEqualTo("[{11 [99 116 120]}]");
    assertThat(Describe.readStates(List.of(new ReadState(1, bytes(0xff)))))
        .isEqualTo("[{1 [255]}]");
    assertThat(Describe.readStates(List.of())).isEqualTo("[]");
  }
}
