package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the raft loop does without a tick to wake it: nodes 2 and 3 tick once an hour, so once node
 * 1 (10 ms ticks) has handed leadership to node 2 and left the cluster, nothing but the test's
 * calls and the two nodes' own messages moves the loop. Work raft has ready must still happen.
 * Only calls that do not go through the raft loop (futures, metrics, the applied state) are
 * polled, as a query to the loop would wake it.
 */
class RaftLoopWithoutTicksTest {

  private static final Duration NO_TICK = Duration.ofHours(1);
  /** Bytes of committed entries one Ready hands out: a few of the big commands below. */
  private static final long COMMITTED_PER_READY = 4096;

  @TempDir Path dir;

  private ServerCluster cluster;

  @BeforeEach
  void tickFreeLeaderAndFollower() throws Exception {
    cluster = new ServerCluster(dir, 3, 0, 0).adjustSettings(RaftLoopWithoutTicksTest::settings).startAll();
    assertThat(cluster.awaitLeader()).as("only node 1 ticks, so only it campaigns").isEqualTo(1);
    cluster.server(1).transferLeadership(2).get(30, TimeUnit.SECONDS);
    // Refused (and never proposed) until node 3 has acknowledged node 2's log.
    Waits.until(Duration.ofSeconds(30), () -> removed(1), () -> "node 1 is still a member");
    cluster.halt(1);
    // Raft refuses to campaign on a node that has not applied a committed conf change yet.
    Waits.until(
        Duration.ofSeconds(30),
        () -> cluster.server(3).members().stream().noneMatch(m -> m.id() == 1),
        () -> "node 3 has not applied the removal of node 1");
  }

  private boolean removed(long id) {
    try {
      cluster.server(2).remove(id).get(30, TimeUnit.SECONDS);
      return true;
    } catch (Exception refused) {
      return false;
    }
  }

  @AfterEach
  void close() {
    cluster.close();
  }

  private static RaftServerSettings settings(long id, RaftServerSettings s) {
    return new RaftServerSettings(
        s.nodeId(),
        s.clusterId(),
        s.peers(),
        s.join(),
        id == 1 ? s.tickInterval() : NO_TICK,
        s.raft().copy().maxCommittedSizePerReady(COMMITTED_PER_READY),
        s.commandTimeout(),
        s.snapshotEntries(),
        s.snapshotKeepEntries(),
        s.idempotencyKeys());
  }

  @Test
  void committedEntriesBeyondWhatOneReadyHandsOutAreAllAppliedWithoutATick() {
    // Each Ready hands out about four of these; the rest are released only as the loop tells raft
    // the first ones are applied, while it processes that Ready.
    String big = "x".repeat(1000);
    int count = 100;
    List<CompletableFuture<Object>> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      results.add(cluster.server(2).submit(ByteString.copyFromUtf8("k" + i + "=" + big)));
    }
    Waits.until(
        Duration.ofSeconds(30),
        () -> results.stream().allMatch(CompletableFuture::isDone),
        () -> results.stream().filter(CompletableFuture::isDone).count() + " of " + count + " applied on the leader");
    assertThat(results).allSatisfy(f -> assertThat(f).isCompletedWithValue(null));
    KvState follower = cluster.member(3).state();
    Waits.until(
        Duration.ofSeconds(30),
        () -> follower.local().size() == count,
        () -> follower.local().size() + " of " + count + " applied on the follower");
  }

  /** Node 3, campaigning: it got leadership handed over and waits for node 2's vote, held back. */
  private RaftServer campaigningNode3() {
    cluster.firewall().delay(2, 3, Duration.ofSeconds(2), MessageType.MsgVoteResp);
    // Not awaited: node 2 would look for the new leader only a tick later.
    cluster.server(2).transferLeadership(3);
    RaftServer candidate = cluster.server(3);
    Waits.until(
        Duration.ofSeconds(30),
        () -> candidate.metrics().role() == StateType.CANDIDATE,
        () -> "node 3 is " + candidate.metrics().role() + ", not campaigning");
    return candidate;
  }

  @Test
  void aCommandProposedWhileThereIsNoLeaderCommitsOnceOneIsElectedWithoutATick() throws Exception {
    RaftServer candidate = campaigningNode3();
    CompletableFuture<Object> result = candidate.submit(ByteString.copyFromUtf8("late=1"));
    // Still campaigning once the loop has taken the command: raft had no leader for it, so it is parked.
    assertThat(candidate.status().role()).isEqualTo(StateType.CANDIDATE);
    assertThat(result.get(30, TimeUnit.SECONDS)).isNull();
    assertThat(candidate.metrics().leaderId()).isEqualTo(3);
    assertThat(cluster.member(3).state().local()).containsEntry("late", "1");
  }

  @Test
  void aReadIssuedWhileThereIsNoLeaderIsConfirmedOnceOneIsElectedWithoutATick() throws Exception {
    cluster.server(2).submit(ByteString.copyFromUtf8("before=1")).get(30, TimeUnit.SECONDS);
    RaftServer candidate = campaigningNode3();
    CompletableFuture<Void> read = candidate.readBarrier(ReadConsistency.LINEARIZABLE);
    // Taken while still campaigning: raft, knowing no leader, dropped its read-index request.
    assertThat(candidate.status().role()).isEqualTo(StateType.CANDIDATE);
    read.get(30, TimeUnit.SECONDS);
    assertThat(candidate.metrics().leaderId()).isEqualTo(3);
    assertThat(cluster.member(3).state().local()).containsEntry("before", "1");
  }
}
