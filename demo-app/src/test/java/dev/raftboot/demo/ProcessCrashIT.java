package dev.raftboot.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.demo.DemoHttp.Response;
import dev.raftboot.testkit.linearizability.CheckResult;
import dev.raftboot.testkit.linearizability.History;
import dev.raftboot.testkit.linearizability.HistoryEntry;
import dev.raftboot.testkit.linearizability.HistoryFile;
import dev.raftboot.testkit.linearizability.LinearizabilityChecker;
import dev.raftboot.testkit.linearizability.LostWrite;
import dev.raftboot.testkit.linearizability.Operation;
import dev.raftboot.testkit.linearizability.ReplayHistory;
import dev.raftboot.testkit.linearizability.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Process crashes, pauses and partitions under load: three demo JVMs, concurrent HTTP clients doing
 * put, get (all three consistency levels), delete and compare-and-set on a few keys, and a fault
 * loop that, round after round, kills nodes with SIGKILL and restarts them on their data, stops the
 * leader gracefully (SIGTERM), pauses it (SIGSTOP for longer than an election timeout, then
 * SIGCONT), or cuts links between the processes ({@link PeerProxy} in front of every node's port
 * for its peers): the leader isolated, a random node isolated, the leader's messages to the others
 * lost, the others' messages to the leader lost. At the end every node reads every key, and the
 * history of the checked operations, those final reads included, must be linearizable: an
 * acknowledged write that got lost, or a stale read, would show as a violation.
 *
 * <p>The history and the fault schedule are saved to {@code history.txt} in the run's folder under
 * {@code target/} ({@link HistoryFile}), re-checked from the file ({@link ReplayHistory}), and the
 * negative control: the same history with its last acknowledged write lost ({@link LostWrite})
 * must be rejected.
 *
 * <p>Every build runs it for 20 s (failsafe execution {@code crash-small}); the profile {@code
 * crash} runs it alone at full length: {@code mvn -B -pl demo-app -am verify -Pcrash
 * [-Dcrash.seconds=120]}. {@code crash.seconds} is how long the clients run while faults are injected.
 */
class ProcessCrashIT {

  private static final int SECONDS = Integer.getInteger("crash.seconds", 60);
  private static final int CLIENTS = Integer.getInteger("crash.clients", 6);
  private static final int KEYS = Integer.getInteger("crash.keys", 12);
  /**
   * Whether puts and deletes retried after an unknown outcome carry their {@code Idempotency-Key};
   * {@code false} only to show that the checks catch what the retries then apply twice.
   */
  private static final boolean RETRY_KEYS = !"false".equalsIgnoreCase(System.getProperty("crash.retry-keys", "true"));
  /** Retries of one put or delete before its outcome is left unknown. */
  private static final int RETRY_ATTEMPTS = 8;
  private static final long SEED = Long.getLong("crash.seed", System.nanoTime());
  /** The faults to draw from, e.g. PAUSE_LEADER,ISOLATE_LEADER (default: all, in their shares). */
  private static final String FAULTS = System.getProperty("crash.faults", "");
  /** The JVM options demo-cluster.sh uses by default: a quick start matters here. */
  private static final String JAVA_OPTS =
      System.getProperty("crash.java.opts", "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
  /** How long a (re)started node may take to serve: JVM start-up on a loaded machine is slow. */
  private static final Duration READY = Duration.ofMinutes(8);

  private final Path jar = Path.of(System.getProperty("demo.jar", "target/demo-app.jar")).toAbsolutePath();
  private final Path workDir = Path.of(System.getProperty("demo.work.dir", "target")).toAbsolutePath();
  /** Client requests: the demo's command timeout is 5 s, plus its grace period and slack. */
  private final DemoHttp http = new DemoHttp(Duration.ofSeconds(5), Duration.ofSeconds(20));
  private final History history = new History();
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final List<String> unexpected = new CopyOnWriteArrayList<>();
  private final List<String> faultLog = new CopyOnWriteArrayList<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger kills = new AtomicInteger();
  private final AtomicInteger leaderKills = new AtomicInteger();
  private final AtomicInteger doubleKills = new AtomicInteger();
  private final AtomicInteger startupKills = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private final AtomicInteger gracefulStops = new AtomicInteger();
  private final AtomicInteger pauses = new AtomicInteger();
  private final Map<String, AtomicInteger> partitions = new ConcurrentHashMap<>();
  private final List<HistoryFile.Fault> schedule = new CopyOnWriteArrayList<>();
  /** Writes answered "not applied" by a node being stopped gracefully: recorded unknown (key, value). */
  private final List<PeerProxy> proxies = new ArrayList<>();
  private final List<Long> rejoinMillis = new CopyOnWriteArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  /** When the load started; until then, when the test started (so start-up events come out negative). */
  private volatile long startNanos = System.nanoTime();

  @Test
  void acknowledgedWritesSurviveKilledProcessesAndTheHistoryIsLinearizable() throws Exception {
    assertThat(jar).as("the packaged demo").exists();
    Path dir = Files.createTempDirectory(workDir, "crash-");
    int[] ports = TestPorts.free(3);
    for (int id = 1; id <= 3; id++) {
      proxies.add(new PeerProxy(id, ports[id - 1]));
    }
    for (int id = 1; id <= 3; id++) {
      nodes.add(new Node(id, ports, dir));
    }
    log("seed " + SEED + ", " + SECONDS + " s, " + CLIENTS + " clients, " + KEYS + " keys, data and logs in " + dir);
    try {
      for (Node node : nodes) {
        node.start();
      }
      awaitAllServing();
      log("cluster up, leader " + leaderId().orElse(-1));

      startNanos = System.nanoTime();
      List<Thread> clients = new ArrayList<>();
      for (int c = 1; c <= CLIENTS; c++) {
        Thread t = new Thread(new Client(c, new Random(SEED * 31 + c)), "client-" + c);
        t.start();
        clients.add(t);
      }
      runFaults(new Random(SEED));
      stop.set(true);
      for (Thread t : clients) {
        t.join(TimeUnit.MINUTES.toMillis(2));
        assertThat(t.isAlive()).as("%s stopped", t.getName()).isFalse();
      }
      log("clients stopped after " + elapsedSeconds() + " s");

      awaitAllServing();
      Map<String, String> finalValues = finalReads();
      List<HistoryEntry> entries = history.entries();
      Path historyFile = save(dir, entries);
      CheckResult check =
          LinearizabilityChecker.builder().timeBudget(Duration.ofMinutes(5)).build().check(entries);
      int replayed = replay(historyFile);
      NegativeControl control = negativeControl(entries, schedule, dir.resolve("history-lost-write.txt"));
      List<String> reappeared = ReappearingValues.find(entries);
      String summary = summary(check, finalValues, replayed, control, reappeared);
      System.out.println(summary);
      Files.writeString(dir.resolve("summary.txt"), summary, StandardCharsets.UTF_8);

      assertThat(problems).as("problems").isEmpty();
      assertThat(unexpected).as("unexpected answers").isEmpty();
      assertThat(reappeared).as("values read again after another (a write applied twice; retry keys %s)",
          RETRY_KEYS).isEmpty();
      assertThat(kills.get() + gracefulStops.get() + pauses.get() + partitions.size()).as("faults").isPositive();
      assertThat(check.violations()).as("violations:\n%s", check.describe()).isEmpty();
      assertThat(check.verdict()).as(check.describe()).isEqualTo(CheckResult.Verdict.LINEARIZABLE);
      assertThat(replayed).as("verdict of the saved history, checked again from " + historyFile)
          .isEqualTo(ReplayHistory.LINEARIZABLE);
      assertThat(control.verdict()).as("negative control: %s", control.description())
          .isEqualTo(ReplayHistory.NOT_LINEARIZABLE);
    } finally {
      stop.set(true);
      if (!Files.exists(dir.resolve("history.txt"))) {
        save(dir, history.entries()); // the run broke off: keep what it saw
      }
      for (Node node : nodes) {
        node.stop();
      }
      proxies.forEach(PeerProxy::close);
    }
  }

  /** Saves the history and the fault schedule to {@code history.txt} in {@code dir}. */
  private Path save(Path dir, List<HistoryEntry> entries) {
    Path file = dir.resolve("history.txt");
    HistoryFile.write(file, List.of(settings(), "replay: java -cp raft-testkit/target/classes "
        + ReplayHistory.class.getName() + " " + file), entries, schedule);
    log("history and fault schedule written to " + file);
    return file;
  }

  /** The verdict (exit status) of {@link ReplayHistory} on a saved file. */
  private static int replay(Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = ReplayHistory.run(new String[] {file.toString(), "300"}, print, print);
    String text = out.toString(StandardCharsets.UTF_8);
    text.lines().filter(l -> !l.startsWith("#")).limit(8).forEach(l -> log("replay " + file.getFileName() + ": " + l));
    return status;
  }

  private record NegativeControl(String description, int verdict) {}

  /**
   * The history with its last acknowledged write that was read later lost, as a node that
   * acknowledges before its write is durable would leave it after a crash: saved and replayed like
   * the real one, it must be rejected.
   */
  private static NegativeControl negativeControl(
      List<HistoryEntry> entries, List<HistoryFile.Fault> schedule, Path file) {
    LostWrite.Injected lost = LostWrite.inject(entries)
        .orElseThrow(() -> new AssertionError("the history has no acknowledged write to lose"));
    HistoryFile.write(file, List.of("negative control: " + lost.description()), lost.entries(), schedule);
    return new NegativeControl(lost.description(), replay(file));
  }

  private String settings() {
    return "process crash test: seed " + SEED + ", " + SECONDS + " s, " + CLIENTS + " clients, " + KEYS
        + " keys, retry keys " + RETRY_KEYS + "; times are the history's logical clock";
  }

  // ---------------------------------------------------------------------------------------------
  // Faults

  private enum Fault {
    KILL, STOP_LEADER, PAUSE_LEADER, ISOLATE_LEADER, ISOLATE_NODE, ONE_WAY_FROM_LEADER, ONE_WAY_TO_LEADER
  }

  /**
   * Rounds of: load for a few seconds, one fault, the end of the fault, and a wait until every node
   * serves again. Three rounds in ten kill (see {@link #killRound}); the others stop the leader
   * gracefully, pause it, or cut links between the processes for a few seconds.
   */
  private void runFaults(Random rnd) throws InterruptedException {
    long end = startNanos + TimeUnit.SECONDS.toNanos(SECONDS);
    int killRounds = 0;
    for (int round = 0; System.nanoTime() < end; round++) {
      Thread.sleep(2000 + rnd.nextInt(4000));
      if (System.nanoTime() >= end) {
        break;
      }
      Fault fault = drawFault(rnd);
      Optional<Integer> leader = leaderId();
      Node target = leader.isPresent() && fault != Fault.ISOLATE_NODE
          ? nodes.get(leader.get() - 1)
          : nodes.get(rnd.nextInt(nodes.size()));
      String role = leader.isPresent() && leader.get() == target.id ? " (leader)" : " (follower)";
      String what = switch (fault) {
        case KILL -> killRound(rnd, killRounds++);
        case STOP_LEADER -> gracefulStop(rnd, target, role);
        case PAUSE_LEADER -> pause(rnd, target, role);
        default -> partition(rnd, fault, target, role);
      };
      long restartedAt = System.nanoTime();
      awaitAllServing();
      long rejoin = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
      rejoinMillis.add(rejoin);
      fault("all serving");
      String line = String.format("t=%3d s: %s; all serving again after %.1f s", elapsedSeconds(), what, rejoin / 1000.0);
      faultLog.add(line);
      log(line);
    }
  }

  /**
   * SIGKILL one node (the leader more often) and restart it after a pause. Every third kill round
   * (the second, fifth, ...) kills a second node too, so that there is no quorum until one is back;
   * every fourth (the third, seventh, ...) kills the restarted node again while its JVM is still
   * starting, then restarts it once more.
   */
  private String killRound(Random rnd, int round) throws InterruptedException {
    Optional<Integer> leader = leaderId();
    Node victim =
        leader.isPresent() && rnd.nextInt(100) < 60
            ? nodes.get(leader.get() - 1)
            : nodes.get(rnd.nextInt(nodes.size()));
    boolean wasLeader = leader.isPresent() && leader.get() == victim.id;
    List<Node> down = new ArrayList<>(List.of(victim));
    victim.kill(wasLeader ? " (leader)" : " (follower)");
    kills.incrementAndGet();
    if (wasLeader) {
      leaderKills.incrementAndGet();
    }
    String what = "kill node " + victim.id + (wasLeader ? " (leader)" : " (follower)");
    if (round % 3 == 1) {
      Node second = nodes.stream().filter(n -> n != victim).toList().get(rnd.nextInt(2));
      second.kill(" (second node, no quorum)");
      kills.incrementAndGet();
      doubleKills.incrementAndGet();
      down.add(second);
      what += " and node " + second.id + " (no quorum)";
    }
    long pause = 1000 + rnd.nextInt(3000);
    Thread.sleep(pause);
    for (Node node : down) {
      node.start();
      restarts.incrementAndGet();
    }
    what += String.format("; restarted after %.1f s", pause / 1000.0);
    if (round % 4 == 2) {
      long booting = 1000 + rnd.nextInt(4000);
      Thread.sleep(booting);
      victim.kill(" (during its start-up)");
      kills.incrementAndGet();
      startupKills.incrementAndGet();
      Thread.sleep(1000);
      victim.start();
      restarts.incrementAndGet();
      what += String.format("; killed again %.1f s into its start-up and restarted", booting / 1000.0);
    }
    return what;
  }

  private static Fault drawFault(Random rnd) {
    if (!FAULTS.isBlank()) {
      List<Fault> chosen = java.util.Arrays.stream(FAULTS.split(",")).map(f -> Fault.valueOf(f.trim())).toList();
      return chosen.get(rnd.nextInt(chosen.size()));
    }
    int p = rnd.nextInt(100);
    return p < 30 ? Fault.KILL : p < 45 ? Fault.STOP_LEADER : p < 60 ? Fault.PAUSE_LEADER
        : p < 70 ? Fault.ISOLATE_LEADER : p < 80 ? Fault.ISOLATE_NODE : p < 90 ? Fault.ONE_WAY_FROM_LEADER
        : Fault.ONE_WAY_TO_LEADER;
  }

  /** SIGTERM: the node hands over leadership and stops; restarted after a pause. */
  private String gracefulStop(Random rnd, Node node, String role) throws InterruptedException {
    long took = node.terminate(role);
    gracefulStops.incrementAndGet();
    long pause = 500 + rnd.nextInt(2500);
    Thread.sleep(pause);
    node.start();
    restarts.incrementAndGet();
    return String.format("SIGTERM node %d%s, exited after %.1f s, restarted %.1f s later", node.id, role,
        took / 1000.0, pause / 1000.0);
  }

  /** SIGSTOP for longer than an election timeout (1 to 2 s in the demo), then SIGCONT. */
  private String pause(Random rnd, Node node, String role) throws InterruptedException {
    long pause = 2500 + rnd.nextInt(3500);
    node.signal("STOP", role);
    pauses.incrementAndGet();
    Thread.sleep(pause);
    node.signal("CONT", "");
    return String.format("SIGSTOP node %d%s for %.1f s, then SIGCONT", node.id, role, pause / 1000.0);
  }

  /** Cuts links through the proxies for a few seconds, then heals. */
  private String partition(Random rnd, Fault fault, Node node, String role) throws InterruptedException {
    List<Node> others = nodes.stream().filter(n -> n != node).toList();
    String what;
    for (Node other : others) {
      if (fault != Fault.ONE_WAY_TO_LEADER) {
        proxies.get(other.id - 1).cut(node.id); // node -> other lost
      }
      if (fault != Fault.ONE_WAY_FROM_LEADER) {
        proxies.get(node.id - 1).cut(other.id); // other -> node lost
      }
    }
    what = switch (fault) {
      case ISOLATE_LEADER, ISOLATE_NODE -> "isolate node " + node.id + role;
      case ONE_WAY_FROM_LEADER -> "one way: messages from node " + node.id + role + " to the others lost";
      default -> "one way: messages from the others to node " + node.id + role + " lost";
    };
    partitions.computeIfAbsent(fault.name().toLowerCase().replace('_', '-'), k -> new AtomicInteger()).incrementAndGet();
    fault(what);
    long hold = 2500 + rnd.nextInt(3500);
    Thread.sleep(hold);
    proxies.forEach(PeerProxy::heal);
    fault("heal the network");
    return String.format("%s for %.1f s, healed", what, hold / 1000.0);
  }

  /** Records a fault event in the schedule, on the history's clock. */
  private void fault(String what) {
    schedule.add(new HistoryFile.Fault(history.now(), String.format("t=%.1f s: %s",
        (System.nanoTime() - startNanos) / 1e9, what)));
  }

  /** Waits until every node answers /cluster/leader with a leader; a node that cannot is a problem. */
  private void awaitAllServing() throws InterruptedException {
    for (Node node : nodes) {
      long deadline = System.nanoTime() + READY.toNanos();
      String last = "no answer";
      while (true) {
        try {
          Response r = http.get(node.url() + "/cluster/leader");
          if (r.status() == 200) {
            break;
          }
          last = r.toString();
        } catch (IOException e) {
          last = e.toString();
        }
        if (!node.alive()) {
          fail("node " + node.id + " exited; the end of its log:\n" + node.logTail());
        }
        if (System.nanoTime() > deadline) {
          fail("node " + node.id + " did not serve within " + READY + " (last: " + last + "); the end of its log:\n"
              + node.logTail());
        }
        Thread.sleep(500);
      }
    }
  }

  private Optional<Integer> leaderId() {
    for (Node node : nodes) {
      try {
        Response r = http.get(node.url() + "/cluster/leader");
        if (r.status() == 200) {
          return Optional.of(r.json().get("leaderId").asInt());
        }
      } catch (IOException | RuntimeException e) {
        // try the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private void fail(String problem) {
    problems.add(problem);
    throw new AssertionError(problem);
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  private static final int FINAL_READER = 1000;

  private enum Kind { PUT, CAS, DELETE, GET_LINEARIZABLE, GET_LEASE, GET_LOCAL }

  private final class Client implements Runnable {
    private final int id;
    private final Random rnd;
    private final Map<String, String> lastSeen = new HashMap<>();
    /** Per node: until when (nanoTime) this client leaves it alone after a refused connection. */
    private final long[] avoidUntil = new long[3];
    private int seq;

    Client(int id, Random rnd) {
      this.id = id;
      this.rnd = rnd;
    }

    @Override
    public void run() {
      try {
        while (!stop.get()) {
          Node node = pickNode();
          if (node == null) {
            Thread.sleep(200); // every node refused lately
          } else if (!step(node)) {
            avoidUntil[node.id - 1] = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        problems.add("client " + id + " died: " + e);
        throw e;
      }
    }

    /** A random node, other than those that refused a connection in the last second. */
    private Node pickNode() {
      long now = System.nanoTime();
      List<Node> candidates = nodes.stream().filter(n -> avoidUntil[n.id - 1] - now <= 0).toList();
      return candidates.isEmpty() ? null : candidates.get(rnd.nextInt(candidates.size()));
    }

    /** One operation on {@code node}; false if it could not connect. */
    private boolean step(Node node) throws InterruptedException {
      String key = "k" + rnd.nextInt(KEYS);
      int p = rnd.nextInt(100);
      Kind kind = p < 25 ? Kind.PUT : p < 45 ? Kind.CAS : p < 55 ? Kind.DELETE
          : p < 75 ? Kind.GET_LINEARIZABLE : p < 90 ? Kind.GET_LEASE : Kind.GET_LOCAL;
      String value = "c" + id + "-" + (++seq);
      String expected = rnd.nextInt(100) < 25 ? null : lastSeen.get(key);
      Operation op = switch (kind) {
        case PUT -> Operation.put(key, value);
        case CAS -> Operation.cas(key, expected, value);
        case DELETE -> Operation.delete(key);
        case GET_LINEARIZABLE, GET_LEASE, GET_LOCAL -> Operation.get(key);
      };
      // Local reads may be stale by design: they are counted, not checked.
      long h = kind == Kind.GET_LOCAL ? -1 : history.invoke(id, op);
      // Names the write on every attempt: values are unique, so the value serves.
      String writeId = value;
      Attempt attempt = attempt(node, kind, key, value, expected, writeId);
      boolean connected = !"not connected".equals(attempt.label());
      if (kind != Kind.GET_LINEARIZABLE && kind != Kind.GET_LEASE && kind != Kind.GET_LOCAL
          && attempt.result().isUnknown()) {
        attempt = retry(kind, key, value, expected, writeId);
      }
      Result result = attempt.result();
      if (result instanceof Result.OkValue v && !v.isAbsent()) {
        lastSeen.put(key, v.value());
      } else if ((kind == Kind.PUT || kind == Kind.CAS) && attempt.status() == 200) {
        lastSeen.put(key, value);
      }
      if (h >= 0) {
        history.complete(h, result);
      }
      return connected;
    }

    /**
     * Sends a write (put, compare-and-set, delete) whose outcome is unknown again, under the same idempotency key (unless
     * {@code crash.retry-keys=false}), to a random node after a growing pause, until it has a
     * definite outcome or {@code RETRY_ATTEMPTS} retries went by. A "not applied" answer to a retry
     * only says that the retry was not applied, so the retries go on; under the key, the answer to
     * a retry is the first application's answer.
     */
    private Attempt retry(Kind kind, String key, String value, String expected, String writeId)
        throws InterruptedException {
      count("retried " + kind.name().toLowerCase());
      for (int n = 1; n <= RETRY_ATTEMPTS; n++) {
        Thread.sleep(Math.min(2000, 100L << n));
        Node node = nodes.get(rnd.nextInt(nodes.size()));
        Attempt attempt = attempt(node, kind, key, value, expected, writeId);
        if (!attempt.result().isUnknown() && !attempt.result().isFailed()) {
          count("retried " + kind.name().toLowerCase() + ": resolved after " + n);
          return attempt;
        }
      }
      count("retried " + kind.name().toLowerCase() + ": still unknown");
      return new Attempt(Result.unknown(), 0, "unknown after retries");
    }

    private Attempt attempt(Node node, Kind kind, String key, String value, String expected, String writeId)
        throws InterruptedException {
      Attempt attempt;
      try {
        Response r = send(node, kind, key, value, expected, RETRY_KEYS ? writeId : null);
        attempt = new Attempt(result(kind, r), r.status(), label(kind, r));
        if (attempt.label().startsWith("unexpected")) {
          unexpected.add(kind + " " + key + " on node " + node.id + ": " + r);
        }
      } catch (ConnectException | HttpConnectTimeoutException e) {
        // The request never left: certainly no effect.
        attempt = new Attempt(Result.failed(), 0, "not connected");
      } catch (IOException e) {
        attempt = new Attempt(Result.unknown(), 0,
            e instanceof java.net.http.HttpTimeoutException ? "unknown (timeout)" : "unknown (connection)");
      }
      count(kind.name().toLowerCase().replace('_', ' ') + ": " + attempt.label());
      return attempt;
    }
  }

  /** One request's outcome: as a history result, its HTTP status (0 without an answer), its label. */
  private record Attempt(Result result, int status, String label) {}

  private Response send(Node node, Kind kind, String key, String value, String expected, String idempotencyKey)
      throws IOException, InterruptedException {
    String url = node.url() + "/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8);
    return switch (kind) {
      case PUT -> http.put(url, value, idempotencyKey);
      case CAS -> {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("expected", expected);
        body.put("value", value);
        yield http.postJson(url + "/cas", body, idempotencyKey);
      }
      case DELETE -> http.delete(url, idempotencyKey);
      case GET_LINEARIZABLE -> http.get(url + "?consistency=linearizable");
      case GET_LEASE -> http.get(url + "?consistency=lease");
      case GET_LOCAL -> http.get(url + "?consistency=local");
    };
  }

  /** The demo's answer as a history result (see the status codes in KeyValueController). */
  private static Result result(Kind kind, Response r) {
    int s = r.status();
    if (s == 503) {
      return notApplied(r) ? Result.failed() : Result.unknown();
    }
    return switch (kind) {
      case PUT -> s == 200 ? Result.ok() : Result.unknown();
      case CAS -> s == 200 ? Result.ok(true) : s == 409 ? Result.ok(false) : Result.unknown();
      case DELETE -> s == 200 ? Result.ok(true) : s == 404 ? Result.ok(false) : Result.unknown();
      case GET_LINEARIZABLE, GET_LEASE, GET_LOCAL ->
          s == 200 ? Result.okValue(r.json().get("value").asString()) : s == 404 ? Result.okAbsent() : Result.unknown();
    };
  }

  /** A 503 that says the command certainly was not applied, or the read not served. */
  private static boolean notApplied(Response r) {
    return Set.of("not applied", "not-applied", "not-read").contains(String.valueOf(r.outcome()));
  }

  private static String label(Kind kind, Response r) {
    int s = r.status();
    if (s == 503 || s == 504) {
      return s + " " + r.outcome();
    }
    boolean expected = s == 200
        || s == 409 && kind == Kind.CAS
        || s == 404 && kind != Kind.PUT && kind != Kind.CAS;
    return expected ? String.valueOf(s) : "unexpected " + s;
  }

  private void count(String what) {
    counts.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  // ---------------------------------------------------------------------------------------------
  // The end

  /**
   * Reads every key linearizably on every node (recorded in the history, so the checker holds them
   * against every acknowledged write), checks that the nodes agree, and that each node's local copy
   * equals what it just read. Returns the final value per key ("absent" for none).
   */
  private Map<String, String> finalReads() throws InterruptedException {
    Map<String, String> values = new TreeMap<>();
    for (int k = 0; k < KEYS; k++) {
      String key = "k" + k;
      for (Node node : nodes) {
        String seen = finalRead(node, key);
        String before = values.putIfAbsent(key, seen);
        if (before != null && !before.equals(seen)) {
          problems.add("final reads disagree on " + key + ": " + before + " vs " + seen + " on node " + node.id);
        }
        String local = localRead(node, key);
        if (!seen.equals(local)) {
          problems.add("node " + node.id + " read " + key + " = " + seen + " linearizably but " + local + " locally");
        }
      }
    }
    return values;
  }

  private String finalRead(Node node, String key) throws InterruptedException {
    long deadline = System.nanoTime() + READY.toNanos();
    while (true) {
      long h = history.invoke(FINAL_READER + node.id, Operation.get(key));
      Result result;
      try {
        result = result(Kind.GET_LINEARIZABLE, http.get(node.url() + "/kv/" + key + "?consistency=linearizable"));
      } catch (IOException e) {
        result = Result.unknown();
      }
      history.complete(h, result);
      if (result instanceof Result.OkValue v) {
        return v.isAbsent() ? "absent" : v.value();
      }
      if (System.nanoTime() > deadline) {
        fail("node " + node.id + " answered no final read of " + key + " within " + READY);
      }
      Thread.sleep(500);
    }
  }

  private String localRead(Node node, String key) throws InterruptedException {
    try {
      Response r = http.get(node.url() + "/kv/" + key + "?consistency=local");
      return r.status() == 200 ? r.json().get("value").asString() : r.status() == 404 ? "absent" : r.toString();
    } catch (IOException e) {
      return e.toString();
    }
  }

  private String summary(CheckResult check, Map<String, String> finalValues, int replayed, NegativeControl control,
      List<String> reappeared) {
    StringBuilder s = new StringBuilder();
    s.append("\n==== Process crash test ====\n");
    s.append(String.format("duration %d s of load and faults (%d s total), %d clients, %d keys, seed %d%n",
        SECONDS, elapsedSeconds(), CLIENTS, KEYS, SEED));
    s.append(String.format("kills %d (%d of the leader, %d of a second node (no quorum), %d of a starting node), "
            + "restarts %d%n",
        kills.get(), leaderKills.get(), doubleKills.get(), startupKills.get(), restarts.get()));
    s.append(String.format("graceful stops (SIGTERM) %d, pauses (SIGSTOP/SIGCONT) %d, partitions %s%n",
        gracefulStops.get(), pauses.get(), new TreeMap<>(partitions)));
    if (!rejoinMillis.isEmpty()) {
      List<Long> sorted = new ArrayList<>(rejoinMillis);
      Collections.sort(sorted);
      s.append(String.format("from the last restart of a round to every node serving: median %.1f s, max %.1f s%n",
          sorted.get(sorted.size() / 2) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0));
    }
    faultLog.forEach(l -> s.append("  ").append(l).append('\n'));
    s.append("operations by outcome:\n");
    new TreeMap<>(counts).forEach((k, v) -> s.append(String.format("  %-40s %7d%n", k, v.sum())));
    s.append(String.format("history: %d operations checked over %d keys, %d failed, %d unknown; verdict %s, "
            + "%d violations, %d states, %d ms%n",
        check.operationCount(), check.keyCount(), check.failedCount(), check.unknownCount(), check.verdict(),
        check.violations().size(), check.statesExplored(), check.elapsed().toMillis()));
    s.append("the saved history, checked again from its file: "
        + (replayed == ReplayHistory.LINEARIZABLE ? "linearizable" : "exit status " + replayed) + '\n');
    s.append("negative control (" + control.description() + "): "
        + (control.verdict() == ReplayHistory.NOT_LINEARIZABLE ? "rejected" : "NOT rejected, status " + control.verdict())
        + '\n');
    s.append(String.format("retry keys %s; values read again after another (apply-once check): %d%n",
        RETRY_KEYS, reappeared.size()));
    reappeared.stream().limit(20).forEach(r -> s.append("  ").append(r).append('\n'));
    s.append("final values: ").append(finalValues.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))).append('\n');
    if (!unexpected.isEmpty()) {
      s.append("unexpected answers (" + unexpected.size() + "):\n");
      unexpected.stream().limit(20).forEach(u -> s.append("  ").append(u).append('\n'));
    }
    problems.forEach(p -> s.append("PROBLEM: ").append(p).append('\n'));
    if (!check.isLinearizable()) {
      s.append(check.describe()).append('\n');
    }
    return s.toString();
  }

  private long elapsedSeconds() {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
  }

  private static void log(String line) {
    System.out.println("[crash] " + line);
  }

  // ---------------------------------------------------------------------------------------------
  // Nodes

  /** One demo JVM, started as demo-cluster.sh starts it; its output is appended to a log file. */
  private final class Node {
    final int id;
    final int[] ports;
    final Path dataDir;
    final Path logFile;
    volatile Process process;

    Node(int id, int[] ports, Path dir) {
      this.id = id;
      this.ports = ports;
      this.dataDir = dir.resolve("node-" + id);
      this.logFile = dir.resolve("node-" + id + ".log");
    }

    String url() {
      return "http://localhost:" + ports[id - 1];
    }

    void start() {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of(JAVA_OPTS.trim().split("\\s+")));
      command.addAll(List.of("-jar", jar.toString(),
          "--server.port=" + ports[id - 1], "--raft.node-id=" + id, "--raft.storage.data-dir=" + dataDir));
      for (int i = 1; i <= 3; i++) {
        // Every peer through its proxy, so that links can be cut; the same address book everywhere.
        command.add("--raft.peers." + i + "=" + proxies.get(i - 1).url());
      }
      try {
        process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
        process.getOutputStream().close();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start node " + id, e);
      }
      fault("start node " + id + " (pid " + process.pid() + ")");
      log("node " + id + " started, pid " + process.pid());
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill(String role) throws InterruptedException {
      fault("SIGKILL node " + id + role);
      process.destroyForcibly();
      if (!process.waitFor(1, TimeUnit.MINUTES)) {
        fail("node " + id + " (pid " + process.pid() + ") survived SIGKILL");
      }
    }

    /** SIGTERM, a graceful stop; waits until the process is gone and returns how long that took (ms). */
    long terminate(String role) throws InterruptedException {
      fault("SIGTERM node " + id + role);
      long t0 = System.nanoTime();
      process.destroy();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        fail("node " + id + " (pid " + process.pid() + ") did not stop within 2 minutes of SIGTERM");
      }
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      fault("node " + id + " exited (status " + process.exitValue() + ")");
      return took;
    }

    /** Sends SIGSTOP or SIGCONT with kill(1). */
    void signal(String name, String role) throws InterruptedException {
      fault("SIG" + name + " node " + id + role);
      try {
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!k.waitFor(30, TimeUnit.SECONDS) || k.exitValue() != 0) {
          fail("kill -" + name + " " + process.pid() + " failed");
        }
      } catch (IOException e) {
        fail("cannot run kill -" + name + ": " + e);
      }
    }

    /** SIGTERM, then SIGKILL if it has not stopped after a minute. */
    void stop() throws InterruptedException {
      Process p = process;
      if (p == null || !p.isAlive()) {
        return;
      }
      // A paused node would not act on SIGTERM.
      try {
        new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor(30, TimeUnit.SECONDS);
      } catch (IOException e) {
        // SIGKILL below still works
      }
      p.destroy();
      if (!p.waitFor(1, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        p.waitFor(1, TimeUnit.MINUTES);
      }
    }

    String logTail() {
      try {
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return e.toString();
      }
    }
  }
}
