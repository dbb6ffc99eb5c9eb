package dev.raftboot.spring.faults;

import dev.raftboot.testkit.linearizability.CheckResult;
import dev.raftboot.testkit.linearizability.History;
import dev.raftboot.testkit.linearizability.HistoryEntry;
import dev.raftboot.testkit.linearizability.HistoryFile;
import dev.raftboot.testkit.linearizability.LinearizabilityChecker;
import dev.raftboot.testkit.linearizability.Operation;
import dev.raftboot.testkit.linearizability.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One fault-injection run: starts a {@link FaultCluster}, runs {@link KvClient}s against it while a
 * {@link Nemesis} injects faults, heals everything, reads every key once more at LINEARIZABLE and
 * checks the whole history. Every random choice derives from {@link Settings#seed()}.
 */
final class FaultRun {

  /**
   * @param retryKeys whether writes retried after an unknown outcome carry their idempotency key;
   *     {@code false} only to show that the apply-once check catches the duplicates
   * @param commandTimeout {@code raft.command-timeout} of the nodes; a short one makes callers give
   *     up on commands that still commit, the unknown outcomes the retries must resolve
   */
  record Settings(
      long seed, Duration load, int nodes, int clients, int keys, boolean retryKeys, Duration commandTimeout) {

    /**
     * From system properties {@code faults.seed/seconds/nodes/clients/keys/retry-keys} and {@code
     * faults.command-timeout-ms} (default 1500), with defaults.
     */
    static Settings fromSystemProperties(long defaultSeed, double defaultSeconds) {
      String seed = System.getProperty("faults.seed");
      String seconds = System.getProperty("faults.seconds");
      return new Settings(
          seed == null || seed.isBlank() ? defaultSeed : Long.parseLong(seed.trim()),
          Duration.ofMillis(
              Math.round(
                  1000 * (seconds == null || seconds.isBlank() ? defaultSeconds : Double.parseDouble(seconds)))),
          Integer.getInteger("faults.nodes", 3),
          Integer.getInteger("faults.clients", 4),
          Integer.getInteger("faults.keys", 8),
          !"false".equalsIgnoreCase(System.getProperty("faults.retry-keys", "true").trim()),
          Duration.ofMillis(Long.getLong("faults.command-timeout-ms", 1500)));
    }
  }

  /** What a run saw. */
  record Report(
      Settings settings,
      Duration elapsed,
      List<HistoryEntry> history,
      Map<String, Long> tally,
      Map<String, Long> faults,
      List<String> timeline,
      Path historyFile,
      CheckResult check,
      Map<String, String> finalReads,
      Map<Long, Map<String, String>> finalMaps,
      boolean converged,
      List<String> phantomLocalReads,
      Map<ApplyOnceCheck.Outcome, Long> writeOutcomes,
      List<String> applyOnceProblems,
      Throwable nemesisFailure) {

    long count(java.util.function.Predicate<Result> p) {
      return history.stream().filter(e -> p.test(e.result())).count();
    }

    long localReads() {
      return tally.getOrDefault("get-local.ok", 0L) + tally.getOrDefault("get-local.failed", 0L);
    }

    String summary() {
      StringJoiner byOp = new StringJoiner(", ");
      for (String op : List.of("put", "cas", "delete", "get-linearizable", "get-lease")) {
        byOp.add(
            op + " " + tally.getOrDefault(op + ".ok", 0L) + "/" + tally.getOrDefault(op + ".failed", 0L)
                + "/" + tally.getOrDefault(op + ".unknown", 0L));
      }
      long faultTotal = faults.values().stream().mapToLong(Long::longValue).sum();
      Map<String, Long> causes = new TreeMap<>();
      tally.forEach(
          (k, v) -> {
            if (k.startsWith("cause.")) {
              causes.put(k.substring("cause.".length()), v);
            }
          });
      return String.format(
          "[faults] seed=%d nodes=%d clients=%d keys=%d load=%.1fs total=%.1fs | checked ops=%d:"
              + " ok=%d failed=%d unknown=%d (ok/failed/unknown: %s; +%d final reads; exceptions %s)"
              + " | local reads=%d"
              + " (unchecked, %d phantom) | faults=%d %s | verdict=%s violations=%d"
              + " (check %d ms, %d configurations) | converged=%s | retry keys=%s: %d writes retried"
              + " (%d retries), %d of them resolved | write outcomes %s | apply-once problems=%d",
          settings.seed(),
          settings.nodes(),
          settings.clients(),
          settings.keys(),
          settings.load().toMillis() / 1000.0,
          elapsed.toMillis() / 1000.0,
          history.size(),
          count(Result::isOk),
          count(Result::isFailed),
          count(Result::isUnknown),
          byOp,
          finalReads.size(),
          causes,
          localReads(),
          phantomLocalReads.size(),
          faultTotal,
          faults,
          check.verdict(),
          check.violations().size(),
          check.elapsed().toMillis(),
          check.statesExplored(),
          converged,
          settings.retryKeys(),
          tally.getOrDefault("retried", 0L),
          tally.getOrDefault("retry.attempts", 0L),
          tally.getOrDefault("retry.resolved", 0L),
          writeOutcomes,
          applyOnceProblems.size());
    }
  }

  private final Settings settings;

  FaultRun(Settings settings) {
    this.settings = settings;
  }

  Report run() throws Exception {
    long start = System.nanoTime();
    SplittableRandom master = new SplittableRandom(settings.seed());
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < settings.keys(); i++) {
      keys.add("k" + i);
    }
    History history = new History();
    KvClient.Tally tally = new KvClient.Tally();
    Map<String, Set<String>> localReads = new ConcurrentHashMap<>();
    Map<String, ApplyOnceCheck.Outcome> writes = new ConcurrentHashMap<>();
    try (FaultCluster cluster =
        new FaultCluster(settings.nodes(), master.nextLong(),
            Map.of("raft.command-timeout", settings.commandTimeout().toMillis() + "ms"))) {
      cluster.startAll();
      if (cluster.awaitLeader(Duration.ofSeconds(30)).isEmpty()) {
        throw new AssertionError("no leader elected within 30 s of starting the cluster");
      }
      Nemesis nemesis = new Nemesis(cluster, history, master.split(), start);
      nemesis.log("cluster of " + settings.nodes() + " started, leader elected");
      boolean saved = false;
      try {
        List<KvClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 1; c <= settings.clients(); c++) {
          KvClient client =
              new KvClient(
                  c, master.split(), cluster, history, keys, tally, localReads, writes, settings.retryKeys());
          clients.add(client);
          threads.add(daemon(client, "kv-client-" + c));
        }
        Thread nemesisThread = daemon(nemesis, "nemesis");
        threads.forEach(Thread::start);
        nemesisThread.start();

        Thread.sleep(settings.load().toMillis());

        // The nemesis heals as it stops, so writes still retrying then can reach a definite outcome.
        nemesis.stop();
        nemesisThread.join(60_000);
        clients.forEach(KvClient::stop);
        for (Thread t : threads) {
          t.join(90_000);
        }
        // Whatever the nemesis left behind: heal and bring every node back.
        cluster.healAndStartAll();
        if (cluster.awaitLeader(Duration.ofSeconds(30)).isEmpty()) {
          throw new AssertionError("no leader within 30 s after healing");
        }

        Map<String, String> finalReads =
            finalReads(cluster, history, keys, settings.clients() + 1, master.split());
        Map<Long, Map<String, String>> maps = cluster.awaitConverged(Duration.ofSeconds(60));
        boolean converged =
            maps.size() == settings.nodes() && maps.values().stream().distinct().count() == 1;
        Map<Long, List<String>> applied = new TreeMap<>();
        cluster.running().forEach(n -> applied.put(n.id(), n.kv().appliedWrites()));
        Map<ApplyOnceCheck.Outcome, Long> writeOutcomes = new TreeMap<>();
        writes.values().forEach(o -> writeOutcomes.merge(o, 1L, Long::sum));

        List<HistoryEntry> entries = history.entries();
        Path historyFile = save(settings, entries, nemesis.schedule());
        saved = true;
        CheckResult check =
            LinearizabilityChecker.builder().timeBudget(Duration.ofSeconds(60)).build().check(entries);

        return new Report(
            settings,
            java.time.Duration.ofNanos(System.nanoTime() - start),
            entries,
            tally.snapshot(),
            nemesis.injected(),
            nemesis.timeline(),
            historyFile,
            check,
            finalReads,
            maps,
            converged,
            phantoms(entries, localReads),
            writeOutcomes,
            ApplyOnceCheck.problems(Map.copyOf(writes), applied),
            nemesis.failure());
      } finally {
        if (!saved) {
          save(settings, history.entries(), nemesis.schedule()); // the run broke off: keep what it saw
        }
      }
    }
  }

  /** Where the runs keep their histories: under the module's target folder, kept after the test. */
  static Path historyFile(String name) {
    return Path.of("target", "fault-runs", name).toAbsolutePath();
  }

  /** Saves the history and the nemesis' schedule ({@link HistoryFile}); returns the file. */
  private static Path save(Settings settings, List<HistoryEntry> entries, List<HistoryFile.Fault> schedule) {
    Path file = historyFile("history-" + Long.toUnsignedString(settings.seed()) + ".txt");
    HistoryFile.write(file, List.of("Spring fault injection: " + settings
        + "; replay: -Dfaults.seed=" + settings.seed()), entries, schedule);
    return file;
  }

  /**
   * Reads every key at LINEARIZABLE after healing, recording the reads in the history (so the
   * check covers them), retrying on failure.
   */
  static Map<String, String> finalReads(
      FaultCluster cluster, History history, List<String> keys, int clientId, SplittableRandom random)
      throws InterruptedException {
    Map<String, String> out = new TreeMap<>();
    for (String key : keys) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        Optional<FaultCluster.Node> node = cluster.randomRunning(random);
        long id = history.invoke(clientId, Operation.get(key));
        try {
          String v = node.orElseThrow().kv().getLinearizable(key);
          history.complete(id, Result.okValue(v));
          out.put(key, v);
          break;
        } catch (RuntimeException e) {
          history.complete(id, Result.failed());
          if (System.nanoTime() > deadline) {
            throw new AssertionError("no linearizable read of " + key + " within 30 s of healing", e);
          }
          Thread.sleep(50);
        }
      }
    }
    return out;
  }

  /** LOCAL reads that returned a value no client ever tried to write to that key. */
  private static List<String> phantoms(List<HistoryEntry> entries, Map<String, Set<String>> localReads) {
    Map<String, Set<String>> written = new TreeMap<>();
    for (HistoryEntry e : entries) {
      String v = null;
      if (e.operation() instanceof Operation.Put p) {
        v = p.value();
      } else if (e.operation() instanceof Operation.Cas c) {
        v = c.newValue();
      }
      if (v != null) {
        written.computeIfAbsent(e.key(), k -> new HashSet<>()).add(v);
      }
    }
    List<String> out = new ArrayList<>();
    localReads.forEach(
        (key, values) -> {
          for (String v : values) {
            if (!v.isEmpty() && !written.getOrDefault(key, Set.of()).contains(v)) {
              out.add(key + "=" + v);
            }
          }
        });
    return out;
  }

  /** Keys whose value differs between the final reads and a node's map. */
  static List<String> finalMismatches(Map<String, String> finalReads, Map<Long, Map<String, String>> maps) {
    List<String> out = new ArrayList<>();
    maps.forEach(
        (node, map) ->
            finalReads.forEach(
                (key, value) -> {
                  if (!Objects.equals(map.get(key), value)) {
                    out.add("node " + node + ": " + key + "=" + map.get(key) + ", final read " + value);
                  }
                }));
    return out;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
