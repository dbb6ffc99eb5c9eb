package dev.raftboot.spring.runtime;

import static dev.raftboot.spring.runtime.FailingNodeCluster.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.test.TappedTransport;
import dev.raftboot.spring.transport.RaftTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that fails under load and what follows: with {@code restart-node}, a storage stand-in
 * that fails writes for a while (as a full disk does) and then works again; and an unexpected
 * error of the raft loop (not a storage write), which must stop the node as safely as a failed
 * write does.
 */
class StorageRecoveryTest {

  @TempDir Path dir;

  private final FailingNodeCluster cluster = new FailingNodeCluster();
  private final Map<Long, StorageFailureTest.FailingStorage> storages = new TreeMap<>();

  @AfterEach
  void stopAll() {
    cluster.close();
  }

  @Test
  void aNodeWhoseWritesFailedRecoversByItselfOnceTheyWorkAndCatchesUp() throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id, UnaryOperator.identity(), new StorageFailurePolicy.RestartNode(Duration.ofMillis(20)));
    }
    long failing = cluster.awaitLeader();
    RaftServer node = cluster.servers.get(failing);
    cluster.startLoad();
    cluster.awaitAcked(100, "100 writes acknowledged");
    storages.get(failing).failWrites.set(true);
    awaitUntil(() -> node.failure().isPresent(), "node " + failing + " noticed its storage failure");
    cluster.assertRefusesEverything(failing, "No space left on device");
    cluster.awaitAcked(100, "the others kept committing");
    // Every probe fails while the writes do: the node is still out, whatever the timing.
    cluster.assertRefusesEverything(failing, "No space left on device");

    storages.get(failing).failWrites.set(false);
    cluster.awaitServing(failing);
    cluster.awaitAcked(100, "writes through every node, the recovered one included");
    cluster.stopLoad();

    cluster.assertAllAckedEverywhere();
    for (long id : cluster.servers.keySet()) {
      cluster.assertAppliedOnce(id);
    }
  }

  @Test
  void anUnexpectedErrorOfTheRaftLoopStopsTheNodeAsAFailedWriteDoes() throws Exception {
    Map<Long, AtomicBoolean> sendFails = new TreeMap<>();
    AtomicInteger policyRuns = new AtomicInteger();
    StorageFailurePolicy policy = new StorageFailurePolicy.StopApplication(policyRuns::incrementAndGet);
    for (long id = 1; id <= 3; id++) {
      AtomicBoolean fails = new AtomicBoolean();
      sendFails.put(id, fails);
      // The network's transport, until fails is set: then sending throws, as a bug would.
      start(
          id,
          t ->
              new TappedTransport(
                  t,
                  m -> {
                    if (fails.get()) {
                      throw new IllegalStateException("the transport broke");
                    }
                  }),
          policy);
    }
    // The leader: its raft loop sends (appends, heartbeats), its persist stage does not.
    long broken = cluster.awaitLeader();
    cluster.startLoad();
    cluster.awaitAcked(50, "50 writes acknowledged");
    sendFails.get(broken).set(true);
    RaftServer node = cluster.servers.get(broken);
    awaitUntil(() -> node.failure().isPresent(), "node " + broken + " stopped after the error");
    cluster.assertRefusesEverything(broken, "unexpected error in the raft loop");
    assertThat(node.failure()).get().asString().contains("the transport broke");
    awaitUntil(() -> policyRuns.get() == 1, "the policy ran");
    cluster.awaitAcked(50, "the others kept committing");
    cluster.stopLoad();
    assertThat(policyRuns).hasValue(1);

    // Not half-stopped (which made a halt return early, leaving the transport running): it still
    // runs until halted.
    assertThat(node.isRunning()).isTrue();
    node.halt();
    assertThat(node.isRunning()).isFalse();
    // The failed node applied only what the others committed, and they hold every acknowledged write.
    long other = broken == 1 ? 2 : 1;
    cluster.awaitApplied(List.of(other));
    assertThat(cluster.states.get(other).local()).containsAllEntriesOf(cluster.states.get(broken).local());
    assertThat(cluster.states.get(other).local()).containsAllEntriesOf(cluster.acked);
  }

  @Test
  void anUnexpectedErrorOfTheApplyThreadStopsTheNodeForGoodEvenWithRestartNode() throws Exception {
    AtomicBoolean applyFails = new AtomicBoolean();
    StorageFailurePolicy policy = new StorageFailurePolicy.RestartNode(Duration.ofMillis(20));
    for (long id = 1; id <= 3; id++) {
      UnaryOperator<CommandApplier> applier =
          id != 2
              ? UnaryOperator.identity()
              : state ->
                  command -> {
                    if (applyFails.get()) {
                      throw new OutOfMemoryError("the apply thread ran out of memory");
                    }
                    return state.apply(command);
                  };
      HikariDataSource ds = ServerCluster.h2File(dir.resolve("n" + id).resolve("raft"));
      cluster.closeLater(ds);
      cluster.start(id, JdbcStorage.create(ds, id), UnaryOperator.identity(), policy, 50, applier);
    }
    cluster.awaitLeader();
    cluster.startLoad();
    cluster.awaitAcked(50, "50 writes acknowledged");
    applyFails.set(true);
    RaftServer node = cluster.servers.get(2L);
    awaitUntil(() -> node.failure().isPresent(), "node 2 stopped after the error");
    cluster.assertRefusesEverything(2, "unexpected error in the apply thread");
    cluster.awaitAcked(50, "the others kept committing");
    cluster.stopLoad();
    // Its state may be half-changed: it is not rebuilt in place, though its storage works.
    cluster.assertRefusesEverything(2, "unexpected error in the apply thread");
    assertThat(node.isRunning()).isTrue();
    node.halt();
    assertThat(node.isRunning()).isFalse();
    cluster.awaitApplied(List.of(1L));
    assertThat(cluster.states.get(1L).local()).containsAllEntriesOf(cluster.acked);
  }

  private void start(long id, UnaryOperator<RaftTransport> transport, StorageFailurePolicy policy) {
    HikariDataSource ds = ServerCluster.h2File(dir.resolve("n" + id).resolve("raft"));
    cluster.closeLater(ds);
    StorageFailureTest.FailingStorage storage =
        new StorageFailureTest.FailingStorage(JdbcStorage.create(ds, id));
    storages.put(id, storage);
    cluster.start(id, storage, transport, policy, 50);
  }
}
