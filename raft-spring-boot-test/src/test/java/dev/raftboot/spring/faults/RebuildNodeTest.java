package dev.raftboot.spring.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.spring.api.PeerProgress;
import dev.raftboot.spring.api.RaftOperations;
import dev.raftboot.spring.api.RaftStatus;
import dev.raftboot.spring.storage.StorageCorruptionException;
import dev.raftboot.spring.testkit.Waits;
import dev.raftboot.spring.testkit.cluster.RaftTestCluster;
import dev.raftboot.spring.testkit.cluster.TestNode;
import dev.raftboot.testkit.linearizability.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The procedure of "Rebuilding a node" in {@code src-docs/operations.md}, step by step through
 * {@link RaftOperations}, while clients keep writing: a follower's stored entry is changed with
 * plain SQL, the follower refuses to start on it ({@link StorageCorruptionException}), and it is
 * replaced by a fresh member under a new id that catches up from its peers (through a snapshot, the
 * log having been compacted). At the end the rebuilt node holds every acknowledged write, each
 * applied once, and every node's state machine agrees ({@link ApplyOnceCheck}). Once with the
 * kit's H2 file per node, once with all nodes in one PostgreSQL database (skipped when it does not
 * answer, unless {@code RAFT_TEST_REQUIRE_DATABASES=true}).
 */
class RebuildNodeTest {

  private static final long REBUILT = 4;

  private final Map<String, ApplyOnceCheck.Outcome> outcomes = new ConcurrentHashMap<>();
  private final KvClient.Tally tally = new KvClient.Tally();
  private final AtomicBoolean stop = new AtomicBoolean();

  /** Where the nodes keep their logs, and how the test damages and wipes one of them. */
  private interface Storage {
    /** Properties of every node. */
    Map<String, String> properties();

    /** Changes the term of the node's last log row; returns its index. */
    long corruptLastRow(long nodeId, Path dataDir) throws SQLException;

    /** Step 3 of the procedure: deletes the node's storage. */
    void wipe(long nodeId, Path dataDir) throws Exception;

    /** Deletes what the run left outside the kit's folders. */
    default void cleanUp() throws SQLException {}
  }

  @Test
  void aFollowerWithACorruptEntryIsRebuiltFromItsPeersUnderANewId() throws Exception {
    rebuild(new OwnH2File());
  }

  /** The same in one PostgreSQL database that all nodes share, wiped with the page's SQL. */
  @Test
  void aFollowerWithACorruptEntryInASharedDatabaseIsRebuilt() throws Exception {
    rebuild(new SharedPostgres("rebuild-" + Long.toUnsignedString(new SplittableRandom().nextLong(), 36)));
  }

  private void rebuild(Storage storage) throws Exception {
    RaftTestCluster.Builder builder = FaultCluster.configure(RaftTestCluster.of(FaultNodeApplication.class).nodes(3));
    storage.properties().forEach(builder::property);
    try (RaftTestCluster cluster = builder.start()) {
      long seed = new SplittableRandom().nextLong();
      System.out.println("[rebuild] seed " + seed);
      List<Thread> writers = startWriters(cluster, 3, new SplittableRandom(seed));
      awaitAcknowledged(800);

      // The damage: a follower's stored entry no longer matches its checksum.
      TestNode leader = cluster.awaitLeader();
      long damaged = cluster.running().stream().filter(n -> n != leader).findFirst().orElseThrow().id();
      Path dataDir = cluster.node(damaged).dataDir();
      cluster.crash(damaged);
      long row = storage.corruptLastRow(damaged, dataDir);
      assertThatThrownBy(() -> cluster.restart(damaged))
          .as("node %d starting on its changed row %d", damaged, row)
          .hasRootCauseInstanceOf(StorageCorruptionException.class)
          .rootCause()
          .hasMessageContaining("node " + damaged)
          .hasMessageContaining("does not match its checksum")
          .hasMessageContaining("rebuild it from its peers");
      assertThat(cluster.node(damaged).isRunning()).as("the damaged node serves and votes no more").isFalse();
      long before = acknowledged();
      awaitAcknowledged(before + 100); // the two others still commit

      // 1. The other voters form a quorum and have a leader.
      RaftOperations healthy = cluster.awaitLeader().bean(RaftOperations.class);
      assertThat(healthy.leader()).isPresent();
      assertThat(healthy.status().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
      // 2. The damaged node is stopped; remove it from a healthy member.
      complete(cluster, ops -> ops.remove(damaged), s -> !s.voters().contains(damaged), "removing " + damaged);
      awaitEverywhere(cluster, s -> !s.voters().contains(damaged), "node " + damaged + " removed");
      cluster.remove(damaged);
      // 3. Delete its storage.
      storage.wipe(damaged, dataDir);
      // 4. Start it empty with raft.join=true under a new id, add it as a learner, wait until it
      // has caught up, promote it.
      RaftStatus leaderStatus = cluster.awaitLeader().bean(RaftOperations.class).status();
      assertThat(leaderStatus.firstIndex()).as("the leader compacted its log").isGreaterThan(1);
      TestNode rebuilt = cluster.startJoining(REBUILT);
      complete(cluster, ops -> ops.addLearner(REBUILT, cluster.peerUrl(REBUILT)),
          s -> s.learners().contains(REBUILT), "adding " + REBUILT + " as learner");
      awaitCaughtUp(cluster);
      complete(cluster, ops -> ops.promote(REBUILT), s -> s.voters().contains(REBUILT), "promoting " + REBUILT);
      cluster.awaitMember(REBUILT);
      awaitAcknowledged(acknowledged() + 100); // and it takes part in commits under load

      stop.set(true);
      for (Thread t : writers) {
        t.join(TimeUnit.SECONDS.toMillis(90));
      }
      cluster.awaitLeader();
      cluster.awaitAppliedEverywhere();

      Map<Long, List<String>> applied = new TreeMap<>();
      Map<Long, Map<String, String>> maps = new TreeMap<>();
      for (TestNode n : cluster.running()) {
        applied.put(n.id(), n.bean(KvStore.class).appliedWrites());
        maps.put(n.id(), n.bean(KvStore.class).contents());
      }
      System.out.printf("[rebuild] damaged node %d (row %d), rebuilt as node %d from a snapshot at %d;"
              + " writes %s, %d applied on each node; %s%n",
          damaged, row, REBUILT, rebuilt.server().status().snapshotIndex(), count(), applied.get(REBUILT).size(),
          tally.snapshot());
      List<Long> expected = new ArrayList<>(Stream.of(1L, 2L, 3L).filter(id -> id != damaged).toList());
      expected.add(REBUILT);
      assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(rebuilt.server().status().snapshotIndex()).as("caught up through a snapshot").isPositive();
      assertThat(ApplyOnceCheck.problems(Map.copyOf(outcomes), applied)).as("apply-once check").isEmpty();
      assertThat(maps.values().stream().distinct()).as("the state machines agree").hasSize(1);
    } finally {
      stop.set(true);
      storage.cleanUp();
    }
  }

  /** Client threads putting unique values under their idempotency keys ({@link KeyedWrite}). */
  private List<Thread> startWriters(RaftTestCluster cluster, int count, SplittableRandom random) {
    List<Thread> threads = new ArrayList<>();
    for (int c = 1; c <= count; c++) {
      SplittableRandom r = random.split();
      KeyedWrite writes = new KeyedWrite(r, () -> anyStore(cluster, r), true, tally, outcomes);
      String client = "w" + c + "-";
      Thread t = new Thread(() -> {
        for (int seq = 1; !stop.get(); seq++) {
          Optional<KvStore> kv = anyStore(cluster, r);
          if (kv.isEmpty()) {
            continue;
          }
          String id = client + seq;
          String key = "k" + r.nextInt(8);
          writes.run("put", id, kv.get(), store -> {
            store.put(id, key, id);
            return Result.ok();
          }, Result.ok());
        }
      }, "rebuild-writer-" + c);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    return threads;
  }

  private static Optional<KvStore> anyStore(RaftTestCluster cluster, SplittableRandom random) {
    List<TestNode> up = cluster.running();
    if (up.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(up.get(random.nextInt(up.size())).bean(KvStore.class));
    } catch (RuntimeException e) {
      return Optional.empty(); // stopped meanwhile
    }
  }

  private long acknowledged() {
    return outcomes.values().stream().filter(o -> o == ApplyOnceCheck.Outcome.APPLIED).count();
  }

  private Map<ApplyOnceCheck.Outcome, Long> count() {
    Map<ApplyOnceCheck.Outcome, Long> out = new TreeMap<>();
    outcomes.values().forEach(o -> out.merge(o, 1L, Long::sum));
    return out;
  }

  private void awaitAcknowledged(long n) {
    Waits.until(Duration.ofSeconds(60), () -> acknowledged() >= n,
        () -> "fewer than " + n + " writes acknowledged: " + count());
  }

  /** The kit's default: an H2 file database of its own per node. */
  private static final class OwnH2File implements Storage {
    @Override
    public Map<String, String> properties() {
      return Map.of();
    }

    @Override
    public long corruptLastRow(long nodeId, Path dataDir) throws SQLException {
      try (Connection c = DriverManager.getConnection(
          "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("raft"), "sa", "")) {
        return changeTermOfLastRow(c, "faults", nodeId);
      }
    }

    /** With the embedded H2: the files raft.* under raft.storage.data-dir. */
    @Override
    public void wipe(long nodeId, Path dataDir) throws Exception {
      List<Path> files;
      try (Stream<Path> list = Files.list(dataDir)) {
        files = list.filter(p -> p.getFileName().toString().startsWith("raft.")).toList();
      }
      assertThat(files).contains(dataDir.resolve("raft.mv.db"));
      for (Path file : files) {
        Files.delete(file);
      }
    }
  }

  /** All nodes in the PostgreSQL database {@code test}, under a cluster id of this run. */
  private static final class SharedPostgres implements Storage {
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final List<String> TABLES =
        List.of("raft_cluster_log", "raft_cluster_hard_state", "raft_cluster_snapshot");
    private final String clusterId;

    SharedPostgres(String clusterId) {
      this.clusterId = clusterId;
      try (Connection c = connect()) {
        c.isValid(5);
      } catch (SQLException e) {
        Assumptions.assumeTrue(Boolean.parseBoolean(System.getenv("RAFT_TEST_REQUIRE_DATABASES")),
            "PostgreSQL at " + URL + " is not reachable: " + e);
        throw new AssertionError("PostgreSQL at " + URL + " is required but not reachable", e);
      }
    }

    private static Connection connect() throws SQLException {
      return DriverManager.getConnection(URL, "postgres", "");
    }

    @Override
    public Map<String, String> properties() {
      return Map.of(
          "raft.cluster-id", clusterId,
          "raft.storage.jdbc.url", URL,
          "raft.storage.jdbc.username", "postgres",
          "raft.storage.jdbc.password", "");
    }

    @Override
    public long corruptLastRow(long nodeId, Path dataDir) throws SQLException {
      try (Connection c = connect()) {
        return changeTermOfLastRow(c, clusterId, nodeId);
      }
    }

    @Override
    public void cleanUp() throws SQLException {
      try (Connection c = connect()) {
        for (String table : TABLES) {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE cluster_id = ?")) {
            s.setString(1, clusterId);
            s.executeUpdate();
          }
        }
      }
    }

    /** In a shared database: the node's rows, with the statements of operations.md. */
    @Override
    public void wipe(long nodeId, Path dataDir) throws SQLException {
      try (Connection c = connect()) {
        for (String table : TABLES) {
          try (PreparedStatement s = c.prepareStatement(
              "DELETE FROM " + table + " WHERE cluster_id = '" + clusterId + "' AND node_id = " + nodeId)) {
            s.executeUpdate();
          }
          try (PreparedStatement s = c.prepareStatement(
              "SELECT COUNT(*) FROM " + table + " WHERE cluster_id = ? AND node_id = ?")) {
            s.setString(1, clusterId);
            s.setLong(2, nodeId);
            ResultSet rs = s.executeQuery();
            rs.next();
            assertThat(rs.getLong(1)).as("rows of node %d left in %s", nodeId, table).isZero();
          }
        }
      }
    }
  }

  /**
   * Changes the term of the node's last log row, as a damaged page or a stray {@code UPDATE} would:
   * the row is one the node loads into its tail cache, verified, when it starts. Returns its index.
   */
  private static long changeTermOfLastRow(Connection c, String clusterId, long nodeId) throws SQLException {
    long idx;
    try (PreparedStatement s = c.prepareStatement(
        "SELECT MAX(idx) FROM raft_cluster_log WHERE cluster_id = ? AND node_id = ?")) {
      s.setString(1, clusterId);
      s.setLong(2, nodeId);
      ResultSet rs = s.executeQuery();
      rs.next();
      idx = rs.getLong(1);
    }
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE raft_cluster_log SET term = term + 1 WHERE cluster_id = ? AND node_id = ? AND idx = ?")) {
      s.setString(1, clusterId);
      s.setLong(2, nodeId);
      s.setLong(3, idx);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
    return idx;
  }

  /** The leader shows the learner replicating, at or past the commit index it had when asked. */
  private static void awaitCaughtUp(RaftTestCluster cluster) {
    long commit = cluster.awaitLeader().bean(RaftOperations.class).status().commit();
    Waits.until(Duration.ofSeconds(60), () -> {
      PeerProgress p = cluster.awaitLeader().bean(RaftOperations.class).status().progress().get(REBUILT);
      return p != null && p.state().equals("StateReplicate") && p.match() >= commit;
    }, () -> "node " + REBUILT + " did not catch up with index " + commit + "; " + cluster.describe());
  }

  private static void awaitEverywhere(
      RaftTestCluster cluster, java.util.function.Predicate<RaftStatus> condition, String what) {
    Waits.until(Duration.ofSeconds(30),
        () -> cluster.running().stream().allMatch(n -> condition.test(n.bean(RaftOperations.class).status())),
        () -> what + ": not on every node; " + cluster.describe());
  }

  /**
   * Runs a membership call on the leader until the leader's configuration shows it done: a call
   * whose leader changed under it may have been applied or not, and is then tried again only if
   * its effect is missing.
   */
  private static void complete(
      RaftTestCluster cluster,
      java.util.function.Function<RaftOperations, CompletableFuture<Void>> call,
      java.util.function.Predicate<RaftStatus> done,
      String what)
      throws InterruptedException {
    Throwable last = null;
    for (int attempt = 1; attempt <= 10; attempt++) {
      RaftOperations leader = cluster.awaitLeader().bean(RaftOperations.class);
      if (done.test(leader.status())) {
        return;
      }
      try {
        call.apply(leader).get(30, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        last = e;
        Thread.sleep(200);
      }
    }
    Assertions.fail(what + " failed 10 times", last);
  }
}
