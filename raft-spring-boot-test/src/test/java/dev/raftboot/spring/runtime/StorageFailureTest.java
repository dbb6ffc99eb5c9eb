package dev.raftboot.spring.runtime;

import static dev.raftboot.spring.runtime.FailingNodeCluster.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.ForwardingStorage;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.RaftStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose storage starts failing writes under load (as a full disk does): it stops taking
 * part, refuses commands and reads of every consistency, says why in its health, fails its waiting
 * callers honestly and runs its policy once; the others keep committing and lose no acknowledged
 * write.
 */
class StorageFailureTest {

  @TempDir Path dir;

  private final FailingNodeCluster cluster = new FailingNodeCluster();
  private final Map<Long, FailingStorage> storages = new TreeMap<>();
  private final AtomicInteger policyRuns = new AtomicInteger();

  @AfterEach
  void stopAll() {
    cluster.close();
  }

  @Test
  void aNodeWhoseWritesFailServesNothingAndTheOthersCommitEveryAcknowledgedWrite()
      throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id);
    }
    long failing = cluster.awaitLeader();
    cluster.startLoad();
    cluster.awaitAcked(50, "50 writes acknowledged");
    storages.get(failing).failWrites.set(true);
    RaftServer failed = cluster.servers.get(failing);
    awaitUntil(() -> failed.failure().isPresent(), "node " + failing + " noticed its storage failure");
    cluster.awaitAcked(50, "the others kept committing");
    cluster.stopLoad();

    assertThat(failed.failure()).get().asString().contains("No space left on device");
    cluster.assertRefusesEverything(failing, "No space left on device");
    assertThatThrownBy(() -> failed.addLearner(9, URI.create("local://n9")).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(NodeStoppedException.class);
    assertThat(failed.metrics().role()).isEqualTo(StateType.FOLLOWER);
    awaitUntil(() -> policyRuns.get() == 1, "the policy ran");
    Thread.sleep(200);
    assertThat(policyRuns).hasValue(1);

    // No acknowledged write is lost: both survivors hold every one of them.
    Set<Long> survivors = new TreeSet<>(cluster.servers.keySet());
    survivors.remove(failing);
    cluster.awaitApplied(survivors);
    for (long id : survivors) {
      assertThat(cluster.states.get(id).local()).containsAllEntriesOf(cluster.acked);
    }
    // The failed node's state holds no write the survivors do not (it applied only stored entries).
    Map<String, String> survivor = cluster.states.get(survivors.iterator().next()).local();
    assertThat(survivor).containsAllEntriesOf(cluster.states.get(failing).local());
  }

  @Test
  void aFailedSnapshotWriteAlsoStopsTheNode() throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id);
    }
    cluster.awaitLeader();
    long follower =
        cluster.servers.keySet().stream()
            .filter(id -> cluster.servers.get(id).metrics().role() != StateType.LEADER)
            .findFirst()
            .orElseThrow();
    RaftServer server = cluster.servers.get(follower);
    server.submit(ByteString.copyFromUtf8("a=1")).get(10, TimeUnit.SECONDS);
    storages.get(follower).failSnapshots.set(true);
    server.triggerSnapshot().get(10, TimeUnit.SECONDS);
    awaitUntil(() -> server.failure().isPresent(), "the snapshot write failed");
    assertThatThrownBy(() -> server.readBarrier(ReadConsistency.LOCAL).get())
        .hasCauseInstanceOf(NodeStoppedException.class);
  }

  private void start(long id) {
    HikariDataSource ds = ServerCluster.h2File(dir.resolve("n" + id).resolve("raft"));
    cluster.closeLater(ds);
    FailingStorage storage = new FailingStorage(JdbcStorage.create(ds, id));
    storages.put(id, storage);
    cluster.start(
        id,
        storage,
        UnaryOperator.identity(),
        new StorageFailurePolicy.StopApplication(policyRuns::incrementAndGet),
        50);
  }

  /** JDBC storage whose writes can be made to fail as on a full disk. */
  static final class FailingStorage extends ForwardingStorage implements RaftStorage {
    final AtomicBoolean failWrites = new AtomicBoolean();
    final AtomicBoolean failSnapshots = new AtomicBoolean();
    private final JdbcStorage delegate;

    FailingStorage(JdbcStorage delegate) {
      super(delegate);
      this.delegate = delegate;
    }

    private void maybeFail(AtomicBoolean flag) {
      if (flag.get()) {
        throw new UncheckedIOException(new IOException("No space left on device"));
      }
    }

    @Override
    public void save(HardState hs, List<Entry> entries, Snapshot snapshot, boolean sync) {
      maybeFail(failWrites);
      delegate.save(hs, entries, snapshot, sync);
    }

    @Override
    public Snapshot createSnapshot(long index, ConfState cs, ByteString data) {
      maybeFail(failWrites);
      maybeFail(failSnapshots);
      return delegate.createSnapshot(index, cs, data);
    }

    @Override
    public void compact(long compactIndex) {
      maybeFail(failWrites);
      delegate.compact(compactIndex);
    }
  }
}
