package dev.raftboot.spring.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.lock.LockGrant;
import dev.raftboot.spring.lock.LockLease;
import dev.raftboot.spring.lock.LockTable;
import dev.raftboot.spring.lock.RaftLocks;
import dev.raftboot.testkit.linearizability.History;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lock clients on every node contend for a few locks while the {@link Nemesis} partitions the
 * network, drops, delays and duplicates messages and crashes nodes, and the clients themselves
 * pause for longer than the TTL while holding locks. The {@link MutualExclusionChecker} then checks
 * that no two holders relied on a lock at once, that tokens grow, and that no grant was lost.
 *
 * <p>{@code -Dfaults.locks.seconds=} sets the load duration (default 15), {@code -Dfaults.seed=}
 * the seed (default: a fresh one, printed).
 */
class LockFaultTest {

  private static final Duration TTL = Duration.ofMillis(800);
  private static final List<String> LOCKS = List.of("a", "b", "c");
  private static final Map<String, String> PROPERTIES =
      Map.of("raft.lock.expiry-check-interval", "20ms", "raft.command-timeout", "1s");

  @AfterEach
  void resetClocks() {
    LockNodeConfiguration.CLOCK_STEPS.clear();
  }

  @Test
  void locksStayMutuallyExclusiveUnderPartitionsPausesAndCrashes() throws Exception {
    String seedProperty = System.getProperty("faults.seed");
    long seed = seedProperty == null || seedProperty.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(seedProperty.trim());
    double seconds = Double.parseDouble(System.getProperty("faults.locks.seconds", "15"));
    System.out.println("[locks] seed=" + seed + " (replay with -Dfaults.seed=" + seed + ")");
    SplittableRandom master = new SplittableRandom(seed);
    MutualExclusionChecker checker = new MutualExclusionChecker();
    LockNodeConfiguration.checker = checker;
    KvClient.Tally tally = new KvClient.Tally();
    long start = System.nanoTime();
    try (FaultCluster cluster =
        new FaultCluster(3, master.nextLong(), PROPERTIES).withSources(LockNodeConfiguration.class)) {
      cluster.startAll();
      assertThat(cluster.awaitLeader(Duration.ofSeconds(30))).isPresent();
      // The lock checker keeps its own record; this history only clocks the fault schedule.
      Nemesis nemesis = new Nemesis(cluster, new History(), master.split(), start);
      List<LockClient> clients = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        LockClient client =
            new LockClient("client-" + c, 1 + c % 3, master.split(), cluster, LOCKS, TTL, checker, tally);
        clients.add(client);
        threads.add(new Thread(client, "lock-client-" + c));
      }
      Thread nemesisThread = new Thread(nemesis, "nemesis");
      threads.forEach(Thread::start);
      nemesisThread.start();

      Thread.sleep((long) (seconds * 1000));

      nemesis.stop();
      nemesisThread.join(60_000);
      clients.forEach(LockClient::stop);
      for (Thread t : threads) {
        t.join(30_000);
      }
      cluster.healAndStartAll();
      Map<Long, Map<String, LockGrant>> tables = awaitSameTables(cluster);

      nemesis.timeline().forEach(line -> System.out.println("[locks] " + line));
      List<String> violations = checker.check();
      System.out.println(
          "[locks] seed=" + seed + " grants checked=" + checker.history().size() + " faults=" + nemesis.injected()
              + " tally=" + tally.snapshot() + " violations=" + violations.size());
      violations.forEach(v -> System.out.println("[locks] VIOLATION " + v));

      assertThat(nemesis.failure()).as("nemesis failure").isNull();
      assertThat(nemesis.injected()).as("faults injected").isNotEmpty();
      assertThat(checker.history().size()).as("grants acknowledged").isGreaterThan(20);
      assertThat(tally.snapshot().getOrDefault("lock.holder-paused", 0L)).as("holder pauses").isPositive();
      assertThat(tables.values().stream().distinct().count()).as("every node holds the same table: %s", tables).isEqualTo(1);
      assertThat(violations).as("mutual exclusion, fencing and durability (seed %d)", seed).isEmpty();
    }
  }

  /**
   * The checker can fail: node 3 leads, and its expiry clock is stepped forward by a minute, as an
   * NTP correction steps a wall clock. It expires a lease the moment it sees it, and a client on
   * node 2 gets the lock while the first holder, whose node 1 is cut off, still relies on it, rightly
   * by its own clock. The same moves with the real clock leave the second client waiting.
   */
  @Test
  void checkRejectsExpiryByAClockThatJumps() throws Exception {
    assertThat(runTwoHolders(true)).anySatisfy(v -> assertThat(v).contains("relied on it until"));
    assertThat(runTwoHolders(false)).isEmpty();
  }

  private List<String> runTwoHolders(boolean stepClock) throws Exception {
    MutualExclusionChecker checker = new MutualExclusionChecker();
    LockNodeConfiguration.checker = checker;
    LockNodeConfiguration.CLOCK_STEPS.clear();
    try (FaultCluster cluster =
        new FaultCluster(3, new SecureRandom().nextLong(), PROPERTIES).withSources(LockNodeConfiguration.class)) {
      cluster.startAll();
      assertThat(cluster.awaitLeader(Duration.ofSeconds(30))).isPresent();
      FaultCluster.Node three = cluster.node(3).orElseThrow();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!cluster.leader().equals(Optional.of(3L))) {
        assertThat(System.nanoTime()).as("node 3 takes over").isLessThan(deadline);
        try {
          three.server().transferLeadership(3).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          Thread.sleep(100);
        }
      }
      Thread.sleep(200); // node 3's expirer hears that it leads
      RaftLocks one = cluster.node(1).orElseThrow().context().getBean(RaftLocks.class);
      RaftLocks two = cluster.node(2).orElseThrow().context().getBean(RaftLocks.class);
      Duration ttl = Duration.ofSeconds(5);
      LockLease first = one.tryAcquire("x", ttl, Duration.ofSeconds(10)).orElseThrow();
      long from = System.nanoTime();
      LockTable threesTable = three.context().getBean(LockTable.class);
      while (threesTable.localGrant("x").isEmpty()) {
        assertThat(System.nanoTime()).as("node 3 applies the grant").isLessThan(deadline);
        Thread.sleep(5);
      }
      // The holder's node is cut off: it cannot hear of an expiry, and the holder goes by its clock.
      cluster.firewall().partition(Set.of(1L), Set.of(2L, 3L));
      if (stepClock) {
        // While the lease runs, as an NTP correction would step a wall clock.
        LockNodeConfiguration.CLOCK_STEPS.get(3L).addAndGet(TimeUnit.MINUTES.toNanos(1));
      }
      Optional<LockLease> second = two.tryAcquire("x", ttl, Duration.ofSeconds(2));
      long secondFrom = System.nanoTime();
      long now = System.nanoTime();
      assertThat(first.isValid()).as("the first holder's own clock says it still holds the lock").isTrue();
      checker.held(new MutualExclusionChecker.Held("x", first.owner(), first.fencingToken(), from, now, "client-1"));
      second.ifPresent(
          l -> checker.held(new MutualExclusionChecker.Held("x", l.owner(), l.fencingToken(), secondFrom, secondFrom, "client-2")));
      assertThat(second.isPresent()).as("second client acquired").isEqualTo(stepClock);
      List<String> violations = checker.check();
      System.out.println("[locks] " + (stepClock ? "broken" : "real") + " clock: " + violations);
      return violations;
    }
  }

  /** Waits until every node has passed a read barrier and holds the same lock table. */
  private static Map<Long, Map<String, LockGrant>> awaitSameTables(FaultCluster cluster) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Map<Long, Map<String, LockGrant>> tables = new TreeMap<>();
    while (System.nanoTime() < deadline) {
      tables.clear();
      cluster.awaitConverged(Duration.ofSeconds(10));
      for (FaultCluster.Node n : cluster.running()) {
        LockTable t = n.context().getBean(LockTable.class);
        t.holder("none"); // a linearizable read: this node has applied what the leader committed
        tables.put(n.id(), t.localGrants());
      }
      if (tables.size() == cluster.size() && tables.values().stream().distinct().count() == 1) {
        return tables;
      }
      Thread.sleep(100);
    }
    return tables;
  }
}
