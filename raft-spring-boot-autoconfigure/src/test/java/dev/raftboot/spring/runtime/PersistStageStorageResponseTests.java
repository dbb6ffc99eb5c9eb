package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.Config;
import dev.raftboot.RawNode;
import dev.raftboot.Ready;
import dev.raftboot.RecordingLogger;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.test.MemoryRaftStorage;
import dev.raftboot.spring.test.NoNetworkTransport;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The persist stage hands raft each storage response of a write once: a write without entries of
 * its own (a commit index that moved while an earlier write ran) repeats the response of the
 * write still in progress, and when that one was released by an earlier group, stepping the copy
 * makes raft-core log "entry at index N missing from unstable log" for nothing.
 */
class PersistStageStorageResponseTests {

  private final List<String> infoLog = new ArrayList<>();
  private final List<Message> sent = new ArrayList<>();
  private final NodeState state = new NodeState(2, Map.of(2L, URI.create("mem://2")));
  private final LoopInbox inbox = new LoopInbox(state);
  private final MemoryRaftStorage storage = MemoryRaftStorage.ofVoters(1, 2, 3);
  private final RawNode follower =
      new RawNode(
          new Config()
              .id(2)
              .electionTick(10)
              .heartbeatTick(1)
              .storage(storage)
              .maxInflightMsgs(256)
              .maxSizePerMsg(1 << 20)
              .asyncStorageWrites(true)
              .logger(
                  new RecordingLogger(
                      (level, text) -> {
                        if (level == RecordingLogger.Level.INFO) {
                          infoLog.add(text);
                        }
                      })));
  private final PersistStage stage =
      new PersistStage(
          2, storage, new NoNetworkTransport(sent::add), state, new NodeMetrics(state), inbox,
          new ApplyLoop(null, state, null, null, null, null, null, inbox, null), 0,
          new NodeFault(null, state, inbox, new StorageFailurePolicy.StayDown()));

  @Test
  void aRepeatedStorageResponseReleasedByAnEarlierGroupIsNotSteppedAgain() {
    // The node does not run, so the persist thread ends at once: the test calls handle itself.
    stage.start();
    follower.step(append(0, entry(1)));
    Message first = storageAppend(follower.ready());
    // The leader's commit index arrives while the write of entry 1 runs: a write of the hard state
    // alone, whose response repeats that of entry 1.
    follower.step(heartbeat(1));
    Message commitOnly = storageAppend(follower.ready());
    assertThat(commitOnly.getEntriesCount()).isZero();
    assertThat(last(commitOnly.getResponsesList())).isEqualTo(last(first.getResponsesList()));

    stage.handle(List.of(new PersistInput.Append(first)));
    stepReleased();
    stage.handle(List.of(new PersistInput.Append(commitOnly)));
    stepReleased();

    assertThat(infoLog).noneMatch(line -> line.contains("missing from unstable log"));
    // Entry 1 is durable and committed: raft hands it out for applying.
    assertThat(follower.ready().committedEntries()).extracting(Entry::getIndex).containsExactly(1L);
    assertThat(sent)
        .filteredOn(m -> m.getType() == MessageType.MsgAppResp)
        .extracting(Message::getIndex)
        .containsExactly(1L);

    // The response of the next write with entries is released as usual.
    follower.step(append(1, entry(2)));
    stage.handle(List.of(new PersistInput.Append(storageAppend(follower.ready()))));
    stepReleased();
    assertThat(storage.lastIndex()).isEqualTo(2);
    follower.step(heartbeat(2));
    assertThat(follower.ready().committedEntries()).extracting(Entry::getIndex).containsExactly(2L);
    assertThat(infoLog).noneMatch(line -> line.contains("missing from unstable log"));
  }

  /** Steps what the persist stage released to the loop, as the raft loop does. */
  private void stepReleased() {
    for (LoopInput in : inbox.drain()) {
      ((LoopInput.Persisted) in).responses().forEach(follower::step);
    }
  }

  private static Message storageAppend(Ready rd) {
    return rd.messages().stream()
        .filter(m -> m.getType() == MessageType.MsgStorageAppend)
        .findFirst()
        .orElseThrow();
  }

  private static Message last(List<Message> ms) {
    return ms.get(ms.size() - 1);
  }

  private static Entry entry(long index) {
    return Entry.newBuilder().setIndex(index).setTerm(1).setData(ByteString.copyFromUtf8("x")).build();
  }

  private static Message append(long prevIndex, Entry e) {
    return Message.newBuilder()
        .setType(MessageType.MsgApp)
        .setFrom(1)
        .setTo(2)
        .setTerm(1)
        .setIndex(prevIndex)
        .setLogTerm(prevIndex == 0 ? 0 : 1)
        .addEntries(e)
        .build();
  }

  private static Message heartbeat(long commit) {
    return Message.newBuilder()
        .setType(MessageType.MsgHeartbeat)
        .setFrom(1)
        .setTo(2)
        .setTerm(1)
        .setCommit(commit)
        .build();
  }
}
