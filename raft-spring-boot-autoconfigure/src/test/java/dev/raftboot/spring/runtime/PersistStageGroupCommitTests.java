package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.test.MemoryRaftStorage;
import dev.raftboot.spring.test.NoNetworkTransport;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The persist stage writes what queued up during a write as one group, then releases it. */
class PersistStageGroupCommitTests {

  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final List<List<Long>> savedEntries = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch firstSaveEntered = new CountDownLatch(1);
  private final CountDownLatch releaseFirstSave = new CountDownLatch(1);
  private final NodeState state = new NodeState(1, Map.of(1L, URI.create("mem://1")));
  private final LoopInbox inbox = new LoopInbox(state);
  private Thread thread;
  private PersistStage stage;

  @AfterEach
  void stop() throws InterruptedException {
    state.running(false);
    releaseFirstSave.countDown();
    if (thread != null) {
      stage.offer(new PersistInput.Wake());
      thread.join(5000);
    }
  }

  @Test
  void appendsQueuedDuringASyncShareTheNextOneAndTheirResponsesFollowIt() throws Exception {
    stage =
        new PersistStage(
            1, new SlowStorage(), new NoNetworkTransport(m -> events.add("sent " + m.getIndex())),
            state, new NodeMetrics(state), inbox,
            new ApplyLoop(null, state, null, null, null, null, null, inbox, null), 0,
            new NodeFault(null, state, inbox, new StorageFailurePolicy.StayDown()));
    state.running(true);
    thread = stage.start();

    stage.offer(new PersistInput.Append(append(1, 1, 1)));
    assertThat(firstSaveEntered.await(5, TimeUnit.SECONDS)).isTrue();
    // Nine Readies' writes while the first sync runs; the last two replace entries 3 and 4.
    for (long i = 2; i <= 8; i++) {
      stage.offer(new PersistInput.Append(append(1, i, i)));
    }
    stage.offer(new PersistInput.Append(append(2, 3, 3, 4)));
    stage.offer(new PersistInput.Append(append(2, 5, 5)));
    // The commit index moved meanwhile: a write of the hard state alone repeats the last response.
    stage.offer(new PersistInput.Append(commitOnly(2, 5)));
    releaseFirstSave.countDown();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (events.stream().filter(e -> e.startsWith("sent")).count() < 10
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(savedEntries).containsExactly(List.of(1L), List.of(2L, 3L, 4L, 5L));
    assertThat(events)
        .containsExactly(
            "saved [1]", "sent 1",
            "saved [2, 3, 4, 5]", "sent 2", "sent 3", "sent 4", "sent 5", "sent 6", "sent 7",
            "sent 8", "sent 4", "sent 5");
    List<LoopInput> toLoop = inbox.drain();
    assertThat(toLoop).hasSize(2).allMatch(in -> in instanceof LoopInput.Persisted);
    // Each append's MsgStorageAppendResp once, in order: the repeated one of the last is dropped.
    assertThat(((LoopInput.Persisted) toLoop.get(1)).responses())
        .extracting(Message::getIndex)
        .containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 4L, 5L);
  }

  /**
   * The write of one Ready: entries {@code from..to} of {@code term}, its hard state, a MsgAppResp
   * to the leader (node 2) and the response to this node that etcd appends.
   */
  private static Message append(long term, long from, long... last) {
    long to = last.length == 0 ? from : last[last.length - 1];
    Message.Builder m =
        Message.newBuilder()
            .setType(MessageType.MsgStorageAppend)
            .setTo(RaftUtil.LOCAL_APPEND_THREAD)
            .setFrom(1)
            .setTerm(term)
            .setVote(2)
            .setCommit(0);
    for (long i = from; i <= to; i++) {
      m.addEntries(Entry.newBuilder().setIndex(i).setTerm(term));
    }
    m.addResponses(
        Message.newBuilder().setType(MessageType.MsgAppResp).setFrom(1).setTo(2).setTerm(term)
            .setIndex(to));
    m.addResponses(storageAppendResp(term, to));
    return m.build();
  }

  /** The write of a Ready that only moved the commit index while entries up to {@code last} are written. */
  private static Message commitOnly(long term, long last) {
    return Message.newBuilder()
        .setType(MessageType.MsgStorageAppend)
        .setTo(RaftUtil.LOCAL_APPEND_THREAD)
        .setFrom(1)
        .setTerm(term)
        .setVote(2)
        .setCommit(last)
        .addResponses(storageAppendResp(term, last))
        .build();
  }

  private static Message storageAppendResp(long term, long last) {
    return Message.newBuilder().setType(MessageType.MsgStorageAppendResp).setTo(1)
        .setFrom(RaftUtil.LOCAL_APPEND_THREAD).setTerm(term).setIndex(last).setLogTerm(term).build();
  }

  /** Memory storage whose first save waits until the test lets it finish, as a slow sync. */
  private final class SlowStorage extends MemoryRaftStorage {
    @Override
    public void save(HardState hs, List<Entry> entries, Snapshot snapshot, boolean sync) {
      firstSaveEntered.countDown();
      try {
        releaseFirstSave.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      super.save(hs, entries, snapshot, sync);
      List<Long> indexes = entries.stream().map(Entry::getIndex).toList();
      savedEntries.add(indexes);
      events.add("saved " + indexes);
    }
  }
}
