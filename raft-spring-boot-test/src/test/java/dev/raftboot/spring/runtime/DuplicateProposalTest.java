package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.runtime.ServerCluster.Member;
import dev.raftboot.spring.test.TappedTransport;
import dev.raftboot.spring.transport.RaftTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proposal a follower forwards to the leader can reach it twice: the HTTP transport retries a
 * request once when the connection looks stale, and a network may duplicate. Raft appends both
 * copies; the server must still apply the command once, on every node, including nodes that
 * restart from a snapshot taken in between.
 */
class DuplicateProposalTest {

  @TempDir Path dir;

  /** Copies of proposals the followers forwarded, held back to be delivered again later. */
  private final List<Message> heldCopies = new CopyOnWriteArrayList<>();
  private volatile boolean copyProposals;
  private ServerCluster cluster;

  @BeforeEach
  void create() {
    cluster = new ServerCluster(dir, 3, 0, 0).transports(this::copyingProposals);
  }

  @AfterEach
  void stopAll() {
    cluster.close();
  }

  /** The network's transport, keeping a copy of each proposal sent while {@link #copyProposals}. */
  private RaftTransport copyingProposals(RaftTransport network) {
    return new TappedTransport(
        network,
        m -> {
          if (copyProposals && m.getType() == MessageType.MsgProp) {
            heldCopies.add(m);
          }
        });
  }

  @Test
  void aForwardedProposalDeliveredTwiceIsAppliedOnce() throws Exception {
    long leader = cluster.startAll().awaitLeader();
    long follower = leader == 1 ? 2 : 1;

    copyProposals = true;
    submit(follower, "k=a");
    copyProposals = false;
    assertThat(heldCopies).hasSize(1);
    submit(leader, "k=b");

    // Every node snapshots, and the leader restarts from its snapshot, before the copy arrives.
    for (Member m : cluster.members().values()) {
      m.server().triggerSnapshot().get(10, TimeUnit.SECONDS);
    }
    awaitSnapshotStored(leader);
    cluster.halt(leader);
    cluster.start(leader);
    long current = cluster.awaitLeader();

    // Delivered to whoever leads now, so that it is appended whatever the restart changed.
    for (Message copy : heldCopies) {
      assertThat(cluster.server(current).receive(copy.toBuilder().setTo(current).build())).isTrue();
    }
    // A marker written after the copy: once it is applied everywhere, so is the copy's entry.
    submit(follower, "marker=1");
    for (long id : cluster.members().keySet()) {
      cluster.server(id).readBarrier(ReadConsistency.LINEARIZABLE).get(10, TimeUnit.SECONDS);
      awaitValue(id, "marker", "1");
    }

    for (long id : cluster.members().keySet()) {
      assertThat(state(id).local()).as("node %d", id).containsEntry("k", "b");
      assertThat(state(id).applied.getOrDefault("k=a", 0))
          .as("applications of k=a on node %d since it started", id)
          .isLessThanOrEqualTo(1);
    }
    assertThat(state(follower).applied).containsEntry("k=a", 1);
  }

  private void submit(long id, String cmd) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        cluster.server(id).submit(ByteString.copyFromUtf8(cmd)).get(10, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof NoLeaderException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private void awaitSnapshotStored(long id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (cluster.server(id).status().snapshotIndex() < cluster.server(id).status().applied()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + id + " stored no snapshot");
      }
      Thread.sleep(10);
    }
  }

  private void awaitValue(long id, String key, String value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!value.equals(state(id).local().get(key))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + id + " never applied " + key + "=" + value);
      }
      Thread.sleep(10);
    }
  }

  private KvState state(long id) {
    return cluster.member(id).state();
  }
}
