package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.test.MemoryRaftStorage;
import dev.raftboot.spring.test.NoNetworkTransport;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write that only moves the commit index waits for the next write, and is written before a
 * snapshot is stored and at a stop; what it carries is still released at once.
 */
class PersistStageCommitIndexTests {

  private final List<String> writes = new ArrayList<>();
  private final List<Message> sent = new ArrayList<>();
  private final NodeState state = new NodeState(1, Map.of(1L, URI.create("mem://1")));
  private final LoopInbox inbox = new LoopInbox(state);
  private final RecordingStorage storage = new RecordingStorage();
  private final PersistStage stage =
      new PersistStage(
          1, storage, new NoNetworkTransport(sent::add), state, new NodeMetrics(state), inbox,
          new ApplyLoop(null, state, null, null, null, null, null, inbox, null), 0,
          new NodeFault(null, state, inbox, new StorageFailurePolicy.StayDown()));

  @BeforeEach
  void start() {
    // The node does not run, so the persist thread ends at once: the tests call handle themselves.
    stage.start();
    handle(append(1, 1, 1, 5));
    writes.clear();
    sent.clear();
    inbox.drain();
  }

  @Test
  void aCommitOnlyWriteWaitsAndGoesWithTheNextEntries() {
    handle(commitOnly(1, 3, ack(4)));

    assertThat(writes).isEmpty();
    assertThat(state.commitIndex()).isEqualTo(3);
    // Its responses promise nothing the commit index holds: they leave at once.
    assertThat(sent).extracting(Message::getIndex).containsExactly(4L);

    // A later Ready with entries and an unchanged hard state carries no hard state of its own.
    handle(entriesOnly(6, 6));
    assertThat(writes).containsExactly("save term=1 vote=2 commit=3 entries=[6] sync=true");
    assertThat(storage.initialState().hardState().getCommit()).isEqualTo(3);
  }

  @Test
  void aLaterHardStateReplacesTheHeldBackOne() {
    handle(commitOnly(1, 2));
    handle(commitOnly(1, 4));
    handle(append(1, 5, 6, 6));

    assertThat(writes).containsExactly("save term=1 vote=2 commit=5 entries=[6] sync=true");
  }

  @Test
  void aNewTermOrVoteIsWrittenAtOnceAndSynced() {
    handle(commitOnly(1, 2));
    Message newTerm =
        Message.newBuilder()
            .setType(MessageType.MsgStorageAppend)
            .setTo(RaftUtil.LOCAL_APPEND_THREAD)
            .setFrom(1)
            .setTerm(2)
            .setVote(0)
            .setCommit(2)
            .build();
    handle(newTerm);

    assertThat(writes).containsExactly("save term=2 vote=0 commit=2 entries=[] sync=true");
  }

  @Test
  void theCommitIndexIsWrittenBeforeASnapshotIsStored() {
    handle(commitOnly(1, 5));
    stage.handle(
        List.of(
            new PersistInput.StoreSnapshot(
                new LoopInput.SnapshotTaken(
                    5, ConfState.newBuilder().addVoters(1).build(), ByteString.EMPTY))));

    // Raft refuses to start from a stored commit index below the stored snapshot's index.
    assertThat(writes)
        .containsExactly(
            "save term=1 vote=2 commit=5 entries=[] sync=false", "snapshot 5 (stored commit 5)");
  }

  @Test
  void theHeldBackCommitIndexIsWrittenAtAStopOnce() {
    handle(commitOnly(1, 4));
    stage.writeCommitIndexAfterStop();
    stage.writeCommitIndexAfterStop();

    assertThat(writes).containsExactly("save term=1 vote=2 commit=4 entries=[] sync=false");
    assertThat(storage.initialState().hardState().getCommit()).isEqualTo(4);
  }

  @Test
  void aStopWithNothingHeldBackWritesNothing() {
    handle(append(1, 5, 6, 6));
    writes.clear();
    stage.writeCommitIndexAfterStop();

    assertThat(writes).isEmpty();
  }

  private void handle(Message storageAppend) {
    stage.handle(List.of(new PersistInput.Append(storageAppend)));
  }

  /** A Ready's write: entries {@code from..to} of term 1 and its hard state (term, vote 2, commit). */
  private static Message append(long term, long commit, long from, long to) {
    return entriesOnly(from, to).toBuilder().setTerm(term).setVote(2).setCommit(commit).build();
  }

  /** A Ready's write whose hard state did not change: entries of term 1, no hard state. */
  private static Message entriesOnly(long from, long to) {
    Message.Builder m =
        Message.newBuilder()
            .setType(MessageType.MsgStorageAppend)
            .setTo(RaftUtil.LOCAL_APPEND_THREAD)
            .setFrom(1);
    for (long i = from; i <= to; i++) {
      m.addEntries(Entry.newBuilder().setIndex(i).setTerm(1));
    }
    return m.addResponses(ack(to)).build();
  }

  /** A Ready's write that only moved the commit index, with the responses it carries. */
  private static Message commitOnly(long term, long commit, Message... responses) {
    Message.Builder m =
        Message.newBuilder()
            .setType(MessageType.MsgStorageAppend)
            .setTo(RaftUtil.LOCAL_APPEND_THREAD)
            .setFrom(1)
            .setTerm(term)
            .setVote(2)
            .setCommit(commit);
    for (Message r : responses) {
      m.addResponses(r);
    }
    return m.build();
  }

  /** This follower's acknowledgement to the leader (node 2) of entries up to {@code index}. */
  private static Message ack(long index) {
    return Message.newBuilder()
        .setType(MessageType.MsgAppResp)
        .setFrom(1)
        .setTo(2)
        .setTerm(1)
        .setIndex(index)
        .build();
  }

  /** Memory storage that records each write. */
  private final class RecordingStorage extends MemoryRaftStorage {
    RecordingStorage() {
      super();
    }

    @Override
    public void save(HardState hs, List<Entry> entries, Snapshot snapshot, boolean sync) {
      super.save(hs, entries, snapshot, sync);
      writes.add(
          "save term=" + hs.getTerm() + " vote=" + hs.getVote() + " commit=" + hs.getCommit()
              + " entries=" + entries.stream().map(Entry::getIndex).toList() + " sync=" + sync);
    }

    @Override
    public Snapshot createSnapshot(long index, ConfState confState, ByteString data) {
      writes.add(
          "snapshot " + index + " (stored commit " + initialState().hardState().getCommit() + ")");
      return super.createSnapshot(index, confState, data);
    }
  }
}
