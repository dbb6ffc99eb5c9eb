package dev.raftboot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Classification of message types and the emptiness tests on hard state and snapshots. */
class RaftUtilTest {

  private static final Set<MessageType> LOCAL =
      EnumSet.of(
          MessageType.MsgHup,
          MessageType.MsgBeat,
          MessageType.MsgUnreachable,
          MessageType.MsgSnapStatus,
          MessageType.MsgCheckQuorum,
          MessageType.MsgStorageAppend,
          MessageType.MsgStorageAppendResp,
          MessageType.MsgStorageApply,
          MessageType.MsgStorageApplyResp);

  private static final Set<MessageType> RESPONSES =
      EnumSet.of(
          MessageType.MsgAppResp,
          MessageType.MsgVoteResp,
          MessageType.MsgHeartbeatResp,
          MessageType.MsgUnreachable,
          MessageType.MsgReadIndexResp,
          MessageType.MsgPreVoteResp,
          MessageType.MsgStorageAppendResp,
          MessageType.MsgStorageApplyResp);

  /** Every message type is classified: local ones never leave the node. */
  @Test
  void localMessageTypes() {
    for (MessageType t : MessageType.values()) {
      assertThat(RaftUtil.isLocalMsg(t)).as("%s", t).isEqualTo(LOCAL.contains(t));
    }
  }

  @Test
  void responseMessageTypes() {
    for (MessageType t : MessageType.values()) {
      assertThat(RaftUtil.isResponseMsg(t)).as("%s", t).isEqualTo(RESPONSES.contains(t));
    }
  }

  @Test
  void voteResponseTypes() {
    assertThat(RaftUtil.voteRespMsgType(MessageType.MsgVote)).isEqualTo(MessageType.MsgVoteResp);
    assertThat(RaftUtil.voteRespMsgType(MessageType.MsgPreVote))
        .isEqualTo(MessageType.MsgPreVoteResp);
  }

  @Test
  void localTargets() {
    assertThat(RaftUtil.isLocalTarget(RaftUtil.LOCAL_APPEND_THREAD)).isTrue();
    assertThat(RaftUtil.isLocalTarget(RaftUtil.LOCAL_APPLY_THREAD)).isTrue();
    assertThat(RaftUtil.isLocalTarget(1)).isFalse();
    assertThat(RaftUtil.isLocalTarget(-3L)).isFalse();
  }

  @Test
  void emptiness() {
    assertThat(RaftUtil.isEmptyHardState(HardState.getDefaultInstance())).isTrue();
    assertThat(RaftUtil.isEmptyHardState(RaftTestKit.hardState(0, 0, 1))).isFalse();
    assertThat(RaftUtil.isEmptyHardState(RaftTestKit.hardState(0, 1, 0))).isFalse();
    assertThat(RaftUtil.isEmptySnap(Snapshot.getDefaultInstance())).isTrue();
    assertThat(RaftUtil.isEmptySnap(RaftTestKit.snapshot(1, 1, RaftTestKit.voters(1)))).isFalse();
  }
}
