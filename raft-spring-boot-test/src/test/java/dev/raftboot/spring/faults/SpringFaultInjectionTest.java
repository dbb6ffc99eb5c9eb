package dev.raftboot.spring.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.testkit.linearizability.CheckResult;
import dev.raftboot.testkit.linearizability.History;
import dev.raftboot.testkit.linearizability.HistoryFile;
import dev.raftboot.testkit.linearizability.LinearizabilityChecker;
import dev.raftboot.testkit.linearizability.LostWrite;
import dev.raftboot.testkit.linearizability.Operation;
import dev.raftboot.testkit.linearizability.ReplayHistory;
import dev.raftboot.testkit.linearizability.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fault injection at the Spring level: Boot nodes in one JVM, a KV workload through
 * {@code @ReplicatedCommand}/{@code @ReplicatedQuery}, partitions, lossy and reordering links,
 * duplicates and abrupt restarts, and the whole history checked for linearizability.
 *
 * <p>{@code -Dfaults.seconds=} sets the load duration (default 60), {@code -Dfaults.seed=} the seed
 * (default: a fresh one, printed), {@code -Dfaults.nodes=} 3 to 5, {@code -Dfaults.clients=} and
 * {@code -Dfaults.keys=} the workload. Writes whose outcome is unknown are retried under their
 * idempotency key until they have a definite one, and every node's state machine is checked to have
 * applied each write once ({@link ApplyOnceCheck}); {@code -Dfaults.retry-keys=false} retries
 * without the key, which that check must catch. Every run saves its history and fault schedule under
 * {@code target/fault-runs/} ({@link HistoryFile}); {@link ReplayHistory} checks a saved file again.
 */
class SpringFaultInjectionTest {

  @Test
  void replicatedKvStaysLinearizableUnderFaults() throws Exception {
    FaultRun.Settings settings = FaultRun.Settings.fromSystemProperties(new SecureRandom().nextLong(), 60);
    System.out.println(
        "[faults] seed=" + settings.seed() + " (replay with -Dfaults.seed=" + settings.seed() + ")");
    FaultRun.Report report = new FaultRun(settings).run();

    report.timeline().forEach(line -> System.out.println("[faults] " + line));
    System.out.println(report.summary());
    System.out.println("[faults] history and fault schedule saved to " + report.historyFile());
    if (!report.check().isLinearizable()) {
      System.out.println(report.check().describe());
    }

    assertThat(report.nemesisFailure()).as("nemesis failure").isNull();
    assertThat(report.faults().values().stream().mapToLong(Long::longValue).sum())
        .as("faults injected")
        .isPositive();
    assertThat(report.tally().getOrDefault("put.ok", 0L)).as("acknowledged puts").isPositive();
    assertThat(report.applyOnceProblems())
        .as("each write applied once on every node (retry keys %s)", settings.retryKeys())
        .isEmpty();
    assertThat(report.check().verdict())
        .as("linearizability of %d operations (seed %d)", report.history().size(), settings.seed())
        .isEqualTo(CheckResult.Verdict.LINEARIZABLE);
    assertThat(report.converged()).as("all nodes hold the same map: %s", report.finalMaps()).isTrue();
    assertThat(FaultRun.finalMismatches(report.finalReads(), report.finalMaps()))
        .as("final linearizable reads agree with every node's map")
        .isEmpty();
    assertThat(report.phantomLocalReads()).as("LOCAL reads of values never written").isEmpty();
    assertThat(replay(report.historyFile()))
        .as("verdict of %s, checked again", report.historyFile())
        .isEqualTo(ReplayHistory.LINEARIZABLE);
    assertThat(HistoryFile.read(report.historyFile()).faults()).hasSizeGreaterThanOrEqualTo(
        report.timeline().size());

    // Negative control: the same history with an acknowledged write lost is rejected.
    LostWrite.Injected lost = LostWrite.inject(report.history()).orElseThrow();
    assertThat(LinearizabilityChecker.defaults().check(lost.entries()).verdict())
        .as("negative control: %s", lost.description())
        .isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
  }

  private static int replay(Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = ReplayHistory.run(new String[] {file.toString()}, print, print);
    System.out.print(out.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> !l.startsWith("#")).limit(12).map(l -> "[faults] replay: " + l + "\n")
        .reduce("", String::concat));
    return status;
  }

  /**
   * The check can fail: node 3 is the broken variant whose replicated queries skip the read
   * barrier. Cut off from the majority, it serves a "linearizable" read of a value the majority
   * has already overwritten, and the checker rejects the history. The real barrier on the same
   * node, at the same moment, refuses to pass.
   */
  @Test
  void checkRejectsNodeThatServesLocalReadsAsLinearizable() throws Exception {
    long seed = new SecureRandom().nextLong();
    History history = new History();
    List<HistoryFile.Fault> schedule = new java.util.ArrayList<>();
    try (FaultCluster cluster =
        new FaultCluster(3, seed, Map.of()).fakeReadBarrierOn(3)) {
      cluster.startAll();
      assertThat(cluster.awaitLeader(Duration.ofSeconds(30))).isPresent();

      String v1 = putUntilOk(cluster, 1, history, 1, "k", "v1");
      assertThat(cluster.awaitConverged(Duration.ofSeconds(30)).get(3L)).containsEntry("k", v1);

      cluster.firewall().partition(Set.of(3L), Set.of(1L, 2L));
      schedule.add(new HistoryFile.Fault(history.now(), "partition [3] | [1, 2]"));
      putUntilOk(cluster, 1, history, 1, "k", "v2");

      FaultCluster.Node broken = cluster.node(3).orElseThrow();
      long read = history.invoke(2, Operation.get("k"));
      String seen = broken.kv().getLinearizable("k");
      history.complete(read, Result.okValue(seen));
      assertThat(seen).as("the broken node reads its stale state").isEqualTo(v1);

      // The genuine barrier of the same isolated node does not let a read through.
      assertThat(broken.server().readBarrier(ReadConsistency.LINEARIZABLE))
          .failsWithin(Duration.ofSeconds(3));
    }

    CheckResult result = LinearizabilityChecker.defaults().check(history);
    System.out.println("[faults] broken variant: " + result.describe());
    assertThat(result.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    assertThat(result.violations()).singleElement().satisfies(v -> assertThat(v.key()).isEqualTo("k"));
    Path file = FaultRun.historyFile("broken-read-barrier-" + Long.toUnsignedString(seed) + ".txt");
    HistoryFile.write(file, List.of("broken variant: fake read barrier on node 3, seed " + seed),
        history.entries(), schedule);
    assertThat(replay(file)).as("verdict of %s, checked again", file).isEqualTo(ReplayHistory.NOT_LINEARIZABLE);
  }

  /**
   * Writes through node {@code via} until a write is acknowledged; every attempt is recorded.
   * Returns the value acknowledged (retries write a value of their own).
   */
  private static String putUntilOk(
      FaultCluster cluster, long via, History history, int clientId, String key, String value)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (int attempt = 1; ; attempt++) {
      String v = attempt == 1 ? value : value + "-retry" + attempt;
      long id = history.invoke(clientId, Operation.put(key, v));
      try {
        cluster.node(via).orElseThrow().kv().put(v, key, v);
        history.complete(id, Result.ok());
        return v;
      } catch (RuntimeException e) {
        boolean notApplied = KvClient.unwrap(e) instanceof NoLeaderException;
        history.complete(id, notApplied ? Result.failed() : Result.unknown());
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no write of " + key + " acknowledged within 30 s", e);
        }
        Thread.sleep(50);
      }
    }
  }
}
