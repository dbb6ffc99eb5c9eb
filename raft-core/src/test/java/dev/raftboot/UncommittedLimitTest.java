package dev.raftboot;

import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.electAndCommitNoop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MaxUncommittedEntriesSize: a leader that cannot commit (say, it lost its quorum) stops accepting
 * proposals once the payload of its uncommitted tail reaches the limit, so the log cannot grow
 * without bound. Entries without payload are never refused, and applying entries frees quota.
 */
class UncommittedLimitTest {

  private static final int PAYLOAD = 10;

  /** A leader of 1, 2, 3 with the given limit whose noop is committed; followers stay silent. */
  private static Raft leader(long limit) {
    return electAndCommitNoop(
        new Raft(config(1, 10, 1, storage(1, 2, 3)).maxUncommittedEntriesSize(limit)));
  }

  private static Message propose(int... sizes) {
    Message.Builder m = Message.newBuilder().setFrom(1).setTo(1).setType(MessageType.MsgProp);
    for (int s : sizes) {
      Entry.Builder e = Entry.newBuilder();
      if (s > 0) {
        e.setData(ByteString.copyFromUtf8("x".repeat(s)));
      }
      m.addEntries(e);
    }
    return m.build();
  }

  /** Steps a proposal; true if it was accepted. */
  private static boolean tryPropose(Raft r, int... sizes) {
    try {
      r.step(propose(sizes));
      readMessages(r);
      return true;
    } catch (ProposalDroppedException e) {
      return false;
    }
  }

  /** Applies what is committed the way RawNode reports it: through a MsgStorageApplyResp. */
  private static void applyCommitted(Raft r) {
    List<Entry> ents = r.raftLog.nextCommittedEnts(true);
    if (ents.isEmpty()) {
      return;
    }
    long last = ents.get(ents.size() - 1).getIndex();
    r.raftLog.acceptApplying(last, Entries.size(ents), true);
    r.step(
        Message.newBuilder()
            .setType(MessageType.MsgStorageApplyResp)
            .setFrom(RaftUtil.LOCAL_APPLY_THREAD)
            .setTo(r.id)
            .addAllEntries(ents)
            .build());
  }

  @Test
  void proposalsBeyondTheLimitAreDropped() {
    Raft r = leader(3 * PAYLOAD);
    long last = r.raftLog.lastIndex();
    for (int i = 0; i < 3; i++) {
      assertThat(tryPropose(r, PAYLOAD)).isTrue();
    }
    assertThat(r.uncommittedSize).isEqualTo(3 * PAYLOAD);
    assertThatThrownBy(() -> r.step(propose(PAYLOAD)))
        .isInstanceOf(ProposalDroppedException.class);
    assertThat(r.raftLog.lastIndex()).isEqualTo(last + 3);
    assertThat(r.uncommittedSize).isEqualTo(3 * PAYLOAD);
    // A smaller proposal that still does not fit is refused too.
    assertThat(tryPropose(r, 1)).isFalse();
  }

  @Test
  void proposalsWithoutPayloadAreNeverRefused() {
    Raft r = leader(3 * PAYLOAD);
    for (int i = 0; i < 3; i++) {
      assertThat(tryPropose(r, PAYLOAD)).isTrue();
    }
    long last = r.raftLog.lastIndex();
    for (int i = 0; i < 5; i++) {
      assertThat(tryPropose(r, 0)).isTrue();
    }
    assertThat(tryPropose(r, 0, 0, 0)).isTrue();
    assertThat(r.raftLog.lastIndex()).isEqualTo(last + 8);
    assertThat(r.uncommittedSize).isEqualTo(3 * PAYLOAD);
  }

  /**
   * With nothing uncommitted any single proposal is accepted, however large; otherwise a large
   * entry could never be proposed at all.
   */
  @Test
  void oversizedProposalIsAcceptedWhenNothingIsUncommitted() {
    Raft r = leader(3 * PAYLOAD);
    assertThat(tryPropose(r, 100)).isTrue();
    assertThat(r.uncommittedSize).isEqualTo(100);
    assertThat(tryPropose(r, 1)).isFalse();
  }

  /** A batch is accepted or refused as a whole, counting the payload of every entry. */
  @Test
  void batchIsAcceptedOrRefusedWhole() {
    Raft r = leader(3 * PAYLOAD);
    assertThat(tryPropose(r, PAYLOAD)).isTrue();
    long last = r.raftLog.lastIndex();
    assertThat(tryPropose(r, PAYLOAD, PAYLOAD, PAYLOAD)).isFalse();
    assertThat(r.raftLog.lastIndex()).isEqualTo(last);
    assertThat(tryPropose(r, PAYLOAD, PAYLOAD)).isTrue();
    assertThat(r.raftLog.lastIndex()).isEqualTo(last + 2);
    assertThat(r.uncommittedSize).isEqualTo(3 * PAYLOAD);
  }

  /** Committed and applied entries no longer count, so proposing works again. */
  @Test
  void applyingEntriesFreesQuota() {
    Raft r = leader(3 * PAYLOAD);
    for (int i = 0; i < 3; i++) {
      assertThat(tryPropose(r, PAYLOAD)).isTrue();
    }
    assertThat(tryPropose(r, PAYLOAD)).isFalse();
    // A follower acknowledges everything: committed, but not applied yet, so still counted.
    r.step(appResp(2, 1, r.term, r.raftLog.lastIndex()));
    readMessages(r);
    assertThat(r.raftLog.committed).isEqualTo(r.raftLog.lastIndex());
    assertThat(tryPropose(r, PAYLOAD)).isFalse();
    applyCommitted(r);
    assertThat(r.uncommittedSize).isZero();
    for (int i = 0; i < 3; i++) {
      assertThat(tryPropose(r, PAYLOAD)).isTrue();
    }
    assertThat(tryPropose(r, PAYLOAD)).isFalse();
  }

  /** Each leadership starts with an empty account; the new term's empty entry is free. */
  @Test
  void newLeaderStartsWithNothingUncommitted() {
    Raft r = leader(3 * PAYLOAD);
    for (int i = 0; i < 3; i++) {
      assertThat(tryPropose(r, PAYLOAD)).isTrue();
    }
    r.becomeFollower(r.term + 1, RaftUtil.NONE);
    assertThat(r.uncommittedSize).isZero();
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    assertThat(r.uncommittedSize).isZero();
    for (int i = 0; i < 3; i++) {
      assertThat(tryPropose(r, PAYLOAD)).isTrue();
    }
    assertThat(tryPropose(r, PAYLOAD)).isFalse();
  }

  /** Through the public API the refusal surfaces as ProposalDroppedException from propose(). */
  @Test
  void rawNodeProposeReportsTheRefusal() {
    RawNode rn =
        new RawNode(
            config(1, 10, 1, storage(1, 2)).maxUncommittedEntriesSize(2 * PAYLOAD));
    rn.campaign();
    rn.ready();
    rn.advance();
    rn.step(RaftTestKit.msg(2, 1, MessageType.MsgVoteResp, 1));
    assertThat(rn.raft.state).isEqualTo(StateType.LEADER);
    ByteString data = ByteString.copyFromUtf8("x".repeat(PAYLOAD));
    rn.propose(data);
    rn.propose(data);
    assertThatThrownBy(() -> rn.propose(data)).isInstanceOf(ProposalDroppedException.class);
    // An empty proposal still goes through.
    long last = rn.raft.raftLog.lastIndex();
    rn.propose(ByteString.EMPTY);
    assertThat(rn.raft.raftLog.lastIndex()).isEqualTo(last + 1);
  }
}
