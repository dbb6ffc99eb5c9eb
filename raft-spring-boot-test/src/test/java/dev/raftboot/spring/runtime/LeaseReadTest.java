package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.Config;
import dev.raftboot.spring.api.ReadConsistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

  private ServerCluster cluster;

  @BeforeEach
  void create() {
    cluster = new ServerCluster(dir, 3, 0, 0);
  }

  @AfterEach
  void stopAll() {
    cluster.close();
  }

  @Test
  void leaseIsEightTenthsOfAnElectionTimeoutLessTenPercentAndNeedsCheckQuorum() {
    assertThat(Reads.leaseNanos(cluster.settings(1))).isEqualTo(TimeUnit.MILLISECONDS.toNanos(72));
    RaftServerSettings noCheckQuorum =
        new RaftServerSettings(
            1, "t", Map.of(), false, Duration.ofMillis(10), new Config().electionTick(10), Duration.ofSeconds(1), 0, 0);
    assertThat(Reads.leaseNanos(noCheckQuorum)).isZero();
  }

  @Test
  void aPartitionedLeaderStopsAnsweringLeaseReadsWhenItsLeaseEnds() throws Exception {
    long leaderId = cluster.startAll().awaitLeader();
    RaftServer leader = cluster.server(leaderId);
    long lease = Reads.leaseNanos(cluster.settings(leaderId));

    // A linearizable read's heartbeat round gives the leader its lease; LEASE reads then use it.
    // (On a loaded machine a round can outlast the lease, hence a few tries.)
    for (int i = 0; i < 50 && leader.nodeState().leaseReads.get() == 0; i++) {
      leader.readBarrier(ReadConsistency.LINEARIZABLE).get(5, TimeUnit.SECONDS);
      leader.readBarrier(ReadConsistency.LEASE).get(5, TimeUnit.SECONDS);
    }
    assertThat(leader.nodeState().leaseReads.get()).isPositive();

    leader.readBarrier(ReadConsistency.LINEARIZABLE).get(5, TimeUnit.SECONDS);
    long isolatedAt = System.nanoTime();
    cluster.firewall().isolate(leaderId);
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
}
