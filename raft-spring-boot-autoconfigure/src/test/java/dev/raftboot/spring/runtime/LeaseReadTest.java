package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.Config;
import dev.raftboot.StateType;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LEASE reads and partitions. Raft's own lease lets a partitioned leader answer lease reads until
 * it steps down, up to two election timeouts after its last contact with a quorum, while the
 * others may elect a new leader, and commit writes, after one. The server's lease runs from the
 * start of the last heartbeat round a quorum acknowledged and ends before anyone else can win an
 * election.
 */
class LeaseReadTest {

  @TempDir Path dir;

  private final LocalNetwork network = new LocalNetwork();
  private final Map<Long, RaftServer> servers = new TreeMap<>();
  private final List<HikariDataSource> dataSources = new ArrayList<>();
  private RaftServerSettings lastSettings;

  private RaftServer start(long id) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl("jdbc:h2:file:" + dir.resolve("n" + id).toAbsolutePath() + "/raft");
    JdbcStorageSchema.create(ds);
    dataSources.add(ds);
    Map<Long, URI> peers = new TreeMap<>();
    for (long p = 1; p <= 3; p++) {
      peers.put(p, URI.create("http://127.0.0.1:" + (20000 + p)));
    }
    RaftServerSettings settings =
        new RaftServerSettings(
            id,
            "test",
            peers,
            false,
            Duration.ofMillis(10),
            new Config()
                .electionTick(10)
                .heartbeatTick(1)
                .preVote(true)
                .checkQuorum(true)
                .maxSizePerMsg(1 << 20)
                .maxInflightMsgs(256),
            Duration.ofSeconds(5),
            0,
            0);
    lastSettings = settings;
    RaftServerClusterTest.KvState state = new RaftServerClusterTest.KvState();
    RaftServer server =
        new RaftServer(settings, JdbcStorage.create(ds, id), network.transportFor(id), state, state, null);
    network.register(id, server);
    server.start();
    servers.put(id, server);
    return server;
  }

  @AfterEach
  void stopAll() {
    servers.values().forEach(RaftServer::halt);
    network.close();
    dataSources.forEach(HikariDataSource::close);
  }

  @Test
  void leaseIsEightTenthsOfAnElectionTimeoutLessTenPercentAndNeedsCheckQuorum() {
    start(1);
    assertThat(Reads.leaseNanos(lastSettings)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(72));
    RaftServerSettings noCheckQuorum =
        new RaftServerSettings(
            1, "t", Map.of(), false, Duration.ofMillis(10), new Config().electionTick(10), Duration.ofSeconds(1), 0, 0);
    assertThat(Reads.leaseNanos(noCheckQuorum)).isZero();
  }

  @Test
  void aPartitionedLeaderStopsAnsweringLeaseReadsWhenItsLeaseEnds() throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id);
    }
    long leaderId = awaitLeader();
    RaftServer leader = servers.get(leaderId);
    long lease = Reads.leaseNanos(lastSettings);

    // A linearizable read's heartbeat round gives the leader its lease; LEASE reads then use it.
    // (On a loaded machine a round can outlast the lease, hence a few tries.)
    for (int i = 0; i < 50 && leader.nodeState().leaseReads.get() == 0; i++) {
      leader.readBarrier(ReadConsistency.LINEARIZABLE).get(5, TimeUnit.SECONDS);
      leader.readBarrier(ReadConsistency.LEASE).get(5, TimeUnit.SECONDS);
    }
    assertThat(leader.nodeState().leaseReads.get()).isPositive();

    leader.readBarrier(ReadConsistency.LINEARIZABLE).get(5, TimeUnit.SECONDS);
    long isolatedAt = System.nanoTime();
    network.isolate(leaderId);
    record Attempt(long invokedAfterNanos, CompletableFuture<Void> read) {}
    List<Attempt> attempts = new ArrayList<>();
    while (System.nanoTime() - isolatedAt < TimeUnit.MILLISECONDS.toNanos(400)) {
      long invoked = System.nanoTime();
      attempts.add(new Attempt(invoked - isolatedAt, leader.readBarrier(ReadConsistency.LEASE)));
      Thread.sleep(2);
    }
    Thread.sleep(300);

    List<Long> servedAfterLeaseMillis = new ArrayList<>();
    for (Attempt a : attempts) {
      if (a.read().isDone() && !a.read().isCompletedExceptionally() && a.invokedAfterNanos() >= lease) {
        servedAfterLeaseMillis.add(TimeUnit.NANOSECONDS.toMillis(a.invokedAfterNanos()));
      }
    }
    assertThat(servedAfterLeaseMillis)
        .as("LEASE reads invoked on the cut-off leader later than its lease (%d ms) yet answered",
            TimeUnit.NANOSECONDS.toMillis(lease))
        .isEmpty();
  }

  private long awaitLeader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (Map.Entry<Long, RaftServer> e : servers.entrySet()) {
        if (e.getValue().status().role() == StateType.LEADER) {
          return e.getKey();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader elected");
  }
}
