package dev.raftboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RawNode#propose(List)}: several proposals in one {@code MsgProp}. */
class RawNodeProposeListTest {

  private static RawNode node(long id, MemoryStorage storage) {
    return new RawNode(
        new Config().id(id).electionTick(10).heartbeatTick(1).storage(storage)
            .maxSizePerMsg(RaftUtil.NO_LIMIT).maxInflightMsgs(256));
  }

  /** Persists, applies conf changes and advances until nothing is ready; returns all messages. */
  private static List<Message> drain(RawNode n, MemoryStorage s, List<Entry> applied) {
    List<Message> out = new ArrayList<>();
    while (n.hasReady()) {
      Ready rd = n.ready();
      s.append(rd.entries());
      if (rd.hasHardState()) {
        s.setHardState(rd.hardState());
      }
      out.addAll(rd.messages());
      for (Entry e : rd.committedEntries()) {
        if (e.getType() == EntryType.EntryConfChange) {
          try {
            n.applyConfChange(dev.raftboot.raftpb.ConfChange.parseFrom(e.getData()));
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        } else if (!e.getData().isEmpty()) {
          applied.add(e);
        }
      }
      n.advance();
    }
    return out;
  }

  @Test
  void aLeaderAppendsAndCommitsTheWholeListInOrder() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = node(1, s);
    n.bootstrap(List.of(new Peer(1)));
    List<Entry> applied = new ArrayList<>();
    drain(n, s, applied);
    n.campaign();
    drain(n, s, applied);
    long before = s.lastIndex();

    n.propose(List.of(ByteString.copyFromUtf8("a"), ByteString.EMPTY, ByteString.copyFromUtf8("c")));
    Ready rd = n.ready();
    assertThat(rd.entries()).hasSize(3);
    assertThat(rd.entries().get(0).getIndex()).isEqualTo(before + 1);
    s.append(rd.entries());
    n.advance();
    drain(n, s, applied);

    assertThat(applied).extracting(e -> e.getData().toStringUtf8()).containsExactly("a", "c");
    assertThat(s.lastIndex()).isEqualTo(before + 3);
  }

  @Test
  void aLeaderSendsOneAppendPerFollowerForTheList() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = node(1, s);
    n.bootstrap(List.of(new Peer(1), new Peer(2)));
    List<Entry> applied = new ArrayList<>();
    drain(n, s, applied);
    n.campaign();
    drain(n, s, applied);
    // Make node 2 grant the vote and catch up, so that its progress is in replicate state.
    n.step(Message.newBuilder().setType(MessageType.MsgVoteResp).setFrom(2).setTo(1)
        .setTerm(n.basicStatus().hardState().getTerm()).build());
    List<Message> msgs = drain(n, s, applied);
    long last = s.lastIndex();
    n.step(Message.newBuilder().setType(MessageType.MsgAppResp).setFrom(2).setTo(1)
        .setTerm(n.basicStatus().hardState().getTerm()).setIndex(last).build());
    drain(n, s, applied);

    n.propose(List.of(ByteString.copyFromUtf8("x"), ByteString.copyFromUtf8("y"),
        ByteString.copyFromUtf8("z")));
    msgs = drain(n, s, applied);
    List<Message> apps = msgs.stream().filter(m -> m.getType() == MessageType.MsgApp).toList();
    assertThat(apps).hasSize(1);
    assertThat(apps.get(0).getEntriesList()).extracting(e -> e.getData().toStringUtf8())
        .containsExactly("x", "y", "z");
  }

  @Test
  void withoutALeaderTheWholeListIsDropped() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = node(1, s);
    n.bootstrap(List.of(new Peer(1), new Peer(2), new Peer(3)));
    drain(n, s, new ArrayList<>());
    long last = s.lastIndex();
    assertThatThrownBy(() -> n.propose(List.of(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("b"))))
        .isInstanceOf(ProposalDroppedException.class);
    assertThat(n.hasReady()).isFalse();
    assertThat(s.lastIndex()).isEqualTo(last);
  }

  @Test
  void anEmptyListProposesNothing() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = node(1, s);
    n.bootstrap(List.of(new Peer(1)));
    drain(n, s, new ArrayList<>());
    n.propose(List.of());
    assertThat(n.hasReady()).isFalse();
  }
}
