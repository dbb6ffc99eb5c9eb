package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.ForwardingStorage;
import dev.raftboot.InitialState;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.NotAppliedException;
import dev.raftboot.spring.api.OutcomeUnknownException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.health.RaftHealthIndicator;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.testkit.cluster.InMemoryNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * A node whose storage starts failing writes under load (as a full disk does): it stops taking
 * part, refuses commands and reads of every consistency, says why in its health, fails its waiting
 * callers honestly and runs its policy once; the others keep committing and lose no acknowledged
 * write.
 */
class StorageFailureTest {

  @TempDir Path dir;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Map<Long, RaftServer> servers = new TreeMap<>();
  private final Map<Long, KvState> states = new TreeMap<>();
  private final Map<Long, FailingStorage> storages = new TreeMap<>();
  private final List<HikariDataSource> dataSources = new java.util.ArrayList<>();
  private final AtomicInteger policyRuns = new AtomicInteger();

  @AfterEach
  void stopAll() {
    servers.values().forEach(RaftServer::halt);
    network.close();
    dataSources.forEach(HikariDataSource::close);
  }

  @Test
  void aNodeWhoseWritesFailServesNothingAndTheOthersCommitEveryAcknowledgedWrite()
      throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id);
    }
    long failing = awaitLeader();
    Map<String, String> acked = new ConcurrentHashMap<>();
    AtomicBoolean load = new AtomicBoolean(true);
    AtomicInteger unknown = new AtomicInteger();
    List<Thread> clients = new java.util.ArrayList<>();
    for (int c = 0; c < 3; c++) {
      long via = 1 + c;
      int client = c;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; load.get(); i++) {
                  String key = "c" + client + "-" + i;
                  try {
                    servers.get(via).submit(ByteString.copyFromUtf8(key + "=" + i)).get(10, TimeUnit.SECONDS);
                    acked.put(key, "" + i);
                  } catch (ExecutionException e) {
                    if (e.getCause() instanceof OutcomeUnknownException) {
                      unknown.incrementAndGet();
                    } else if (!(e.getCause() instanceof NotAppliedException)) {
                      throw new AssertionError("unexpected failure of " + key, e.getCause());
                    }
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                }
              });
      t.start();
      clients.add(t);
    }
    awaitUntil(() -> acked.size() >= 50, "50 writes acknowledged");
    storages.get(failing).failWrites.set(true);
    RaftServer failed = servers.get(failing);
    awaitUntil(() -> failed.failure().isPresent(), "node " + failing + " noticed its storage failure");
    int ackedAtFailure = acked.size();
    awaitUntil(() -> acked.size() >= ackedAtFailure + 50, "the others kept committing");
    load.set(false);
    for (Thread t : clients) {
      t.join(20_000);
    }

    assertThat(failed.failure()).get().asString().contains("No space left on device");
    for (ReadConsistency c : ReadConsistency.values()) {
      assertThatThrownBy(() -> failed.readBarrier(c).get(5, TimeUnit.SECONDS))
          .as("a %s read on the failed node", c)
          .hasCauseInstanceOf(NodeStoppedException.class)
          .hasMessageContaining("storage failure");
    }
    assertThatThrownBy(() -> failed.submit(ByteString.copyFromUtf8("x=1")).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(NodeStoppedException.class);
    assertThatThrownBy(() -> failed.addLearner(9, URI.create("local://n9")).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(NodeStoppedException.class);
    assertThat(failed.receive(dev.raftboot.raftpb.Message.getDefaultInstance())).isFalse();
    assertThat(failed.metrics().role()).isEqualTo(StateType.FOLLOWER);
    Health health = new RaftHealthIndicator(failed).health();
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails().get("reason").toString())
        .startsWith("storage failure: ")
        .contains("No space left on device");
    awaitUntil(() -> policyRuns.get() == 1, "the policy ran");
    Thread.sleep(200);
    assertThat(policyRuns).hasValue(1);

    // No acknowledged write is lost: both survivors hold every one of them.
    Set<Long> survivors = new java.util.TreeSet<>(servers.keySet());
    survivors.remove(failing);
    long commit =
        survivors.stream().mapToLong(id -> servers.get(id).metrics().commitIndex()).max().orElseThrow();
    awaitUntil(
        () -> survivors.stream().allMatch(id -> servers.get(id).metrics().appliedIndex() >= commit),
        "survivors applied " + commit);
    for (long id : survivors) {
      assertThat(states.get(id).map).containsAllEntriesOf(acked);
    }
    // The failed node's state holds no write the survivors do not (it applied only stored entries).
    Map<String, String> survivor = states.get(survivors.iterator().next()).map;
    assertThat(survivor).containsAllEntriesOf(states.get(failing).map);
  }

  @Test
  void aFailedSnapshotWriteAlsoStopsTheNode() throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id);
    }
    awaitLeader();
    long follower = servers.keySet().stream().filter(id -> servers.get(id).metrics().role() != StateType.LEADER).findFirst().orElseThrow();
    servers.get(follower).submit(ByteString.copyFromUtf8("a=1")).get(10, TimeUnit.SECONDS);
    storages.get(follower).failSnapshots.set(true);
    servers.get(follower).triggerSnapshot().get(10, TimeUnit.SECONDS);
    awaitUntil(() -> servers.get(follower).failure().isPresent(), "the snapshot write failed");
    assertThatThrownBy(() -> servers.get(follower).readBarrier(ReadConsistency.LOCAL).get())
        .hasCauseInstanceOf(NodeStoppedException.class);
  }

  private void start(long id) {
    HikariDataSource ds = ServerCluster.h2File(dir.resolve("n" + id).resolve("raft"));
    dataSources.add(ds);
    RaftServerSettings settings =
        ServerCluster.settings(
            id, ServerCluster.peers(3), Duration.ofMillis(10), Duration.ofSeconds(5), 50, 10);
    KvState state = new KvState();
    FailingStorage storage = new FailingStorage(JdbcStorage.create(ds, id));
    RaftServer server =
        new RaftServer(
            settings, storage, network.transportFor(id), state, state, null,
            new StorageFailurePolicy.StopApplication(policyRuns::incrementAndGet));
    network.attach(server);
    server.start();
    servers.put(id, server);
    states.put(id, state);
    storages.put(id, storage);
  }

  private long awaitLeader() throws InterruptedException {
    long[] leader = new long[1];
    awaitUntil(
        () -> {
          for (var e : servers.entrySet()) {
            if (e.getValue().metrics().role() == StateType.LEADER) {
              leader[0] = e.getKey();
              return true;
            }
          }
          return false;
        },
        "a leader");
    return leader[0];
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
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
