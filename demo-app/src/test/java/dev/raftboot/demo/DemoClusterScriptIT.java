package dev.raftboot.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.raftboot.demo.DemoHttp.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Runs {@code demo-cluster.sh} the way the README tells a person to, end to end: start the cluster,
 * run the printed curl examples exactly as printed, kill the leader's JVM with {@code kill -9},
 * keep using the cluster, restart the node with the printed command, stop everything with SIGTERM
 * (what Ctrl-C does), and start the cluster again on the same data.
 *
 * <p>Runs the packaged jar ({@code DEMO_SKIP_BUILD=1}), on free ports, with its data under {@code
 * target/}. The deadlines are generous: on a loaded two-core machine a node can take minutes to start.
 */
class DemoClusterScriptIT {

  /** How long the script may take to print a leader, and a restarted node to catch up. */
  private static final Duration STARTUP = Duration.ofMinutes(10);
  private static final Duration RECOVERY = Duration.ofMinutes(5);
  private static final Duration STOP = Duration.ofMinutes(3);

  private static final Pattern NODE_LINE =
      Pattern.compile("^node (\\d): (http://localhost:\\d+)  pid (\\d+)  log (.+)$");

  private final Path repo = Path.of(System.getProperty("demo.repo.dir", "..")).toAbsolutePath().normalize();
  private final Path workDir = Path.of(System.getProperty("demo.work.dir", "target")).toAbsolutePath();
  private final DemoHttp http = new DemoHttp(Duration.ofSeconds(10), Duration.ofSeconds(30));

  record Node(int id, String url, long pid, String log) {}

  @Test
  void theScriptStartsAClusterWhoseExamplesWorkAndWhichSurvivesLosingItsLeader() throws Exception {
    assumeTrue(onPath("curl"), "demo-cluster.sh needs curl");
    Path script = repo.resolve("demo-cluster.sh");
    assertThat(script).exists();
    assertThat(repo.resolve("demo-app/target/demo-app.jar")).as("the packaged demo").exists();

    Path data = Files.createTempDirectory(workDir, "demo-e2e-");
    int[] ports = TestPorts.free(3);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEMO_SKIP_BUILD", "1");
    env.put("DEMO_DATA", data.toString());
    env.put("DEMO_PORTS", ports[0] + " " + ports[1] + " " + ports[2]);
    env.put("DEMO_STARTUP_TIMEOUT", String.valueOf(STARTUP.toSeconds()));
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    step("data in " + data + ", ports " + env.get("DEMO_PORTS"));

    List<Long> jvms = new ArrayList<>();
    ScriptProcess cluster = ScriptProcess.start("cluster", repo, env, "./demo-cluster.sh");
    ScriptProcess restarted = null;
    try {
      // 1. The script prints the nodes, then the leader and the examples.
      cluster.awaitLine(l -> l.startsWith("Leader: "), "the leader", STARTUP);
      cluster.awaitLine(l -> l.startsWith("Press Ctrl-C"), "the end of the examples", Duration.ofMinutes(1));
      List<String> out = cluster.lines();
      Map<Integer, Node> nodes = nodeLines(out);
      assertThat(nodes).containsOnlyKeys(1, 2, 3);
      for (Node node : nodes.values()) {
        assertThat(node.url()).isEqualTo("http://localhost:" + ports[node.id() - 1]);
        assertIsTheNodesJvm(node);
        jvms.add(node.pid());
      }
      String leaderUrl = line(out, "Leader: ").substring("Leader: ".length()).trim();
      Node leader =
          nodes.values().stream()
              .filter(n -> n.url().equals(leaderUrl))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the leader " + leaderUrl + " is none of " + nodes));

      // 2. The curl examples, as printed, in order.
      step("running the printed examples");
      List<String> examples = examples(out);
      assertThat(examples).hasSize(8);
      checkExamples(examples);

      // 3. kill -9 the leader's pid, as the script suggests.
      step("killing the leader, node " + leader.id() + " (pid " + leader.pid() + ")");
      assertThat(bash("kill -9 " + leader.pid(), Duration.ofMinutes(1)).exitCode()).isZero();
      awaitGone(leader.pid(), Duration.ofMinutes(1));
      List<Node> survivors = nodes.values().stream().filter(n -> n.id() != leader.id()).toList();

      // 4. The two others elect a leader and take writes; both read them.
      step("writing through node " + survivors.get(0).id());
      putUntilApplied(survivors, "after-kill", "survived");
      for (Node node : survivors) {
        assertThat(readUntilAnswered(node.url() + "/kv/after-kill").json().get("value").asString())
            .as("linearizable read on node %d", node.id())
            .isEqualTo("survived");
      }
      assertThat(cluster.isAlive()).as("the script runs on after a node was killed").isTrue();

      // 5. Restart the node with the printed command; it catches up and serves a local read.
      String restart = line(out, "restart it with:");
      String restartCommand = out.get(out.indexOf(restart) + 1).trim();
      assertThat(restartCommand).contains("./demo-cluster.sh node <id>").contains("DEMO_DATA=").contains("DEMO_PORTS=");
      step("restarting node " + leader.id() + ": " + restartCommand);
      restarted =
          ScriptProcess.start(
              "node-" + leader.id(), repo, env, "bash", "-c", restartCommand.replace("<id>", String.valueOf(leader.id())));
      String restartedLine =
          restarted.awaitLine(l -> NODE_LINE.matcher(l).matches(), "its node line", Duration.ofMinutes(2));
      Node again = node(restartedLine);
      assertThat(again.id()).isEqualTo(leader.id());
      assertThat(again.url()).isEqualTo(leader.url());
      jvms.add(again.pid());
      Response local = awaitLocalValue(restarted, again.url() + "/kv/after-kill?consistency=local", "survived");
      step("node " + again.id() + " rejoined: " + local);
      assertIsTheNodesJvm(again);
      assertThat(readUntilAnswered(again.url() + "/cluster/leader").status()).isEqualTo(200);
      assertThat(readUntilAnswered(again.url() + "/kv/after-kill").json().get("value").asString())
          .isEqualTo("survived");

      // 6. SIGTERM to the script (as Ctrl-C) stops every node, the restarted one included.
      step("stopping the cluster with SIGTERM");
      cluster.terminate();
      cluster.awaitExit(STOP);
      assertThat(cluster.lines()).anyMatch(l -> l.startsWith("Stopped."));
      for (long pid : jvms) {
        awaitGone(pid, Duration.ofMinutes(1));
      }
      restarted.awaitExit(Duration.ofMinutes(1));
    } finally {
      cluster.close();
      if (restarted != null) {
        restarted.close();
      }
      killLeftovers(jvms);
    }

    // 7. A second run on the same data is the same cluster: the keys are still there.
    step("starting the cluster again on the same data");
    jvms.clear();
    ScriptProcess second = ScriptProcess.start("second run", repo, env, "./demo-cluster.sh");
    try {
      second.awaitLine(l -> l.startsWith("Leader: "), "the leader", STARTUP);
      Map<Integer, Node> nodes = nodeLines(second.lines());
      nodes.values().forEach(n -> jvms.add(n.pid()));
      for (Node node : nodes.values()) {
        assertThat(readUntilAnswered(node.url() + "/kv/after-kill").json().get("value").asString())
            .as("node %d after the second start", node.id())
            .isEqualTo("survived");
      }
      Response deleted = readUntilAnswered(nodes.get(1).url() + "/kv/greeting");
      assertThat(deleted.status()).as("the example deleted greeting: %s", deleted).isEqualTo(404);
      second.terminate();
      second.awaitExit(STOP);
      assertThat(second.lines()).anyMatch(l -> l.startsWith("Stopped."));
      for (long pid : jvms) {
        awaitGone(pid, Duration.ofMinutes(1));
      }
    } finally {
      second.close();
      killLeftovers(jvms);
    }
  }

  /** Runs each example line with bash, as a person pasting it would, and checks what it prints. */
  private void checkExamples(List<String> examples) throws Exception {
    JsonNode put = runExample(examples.get(0), "-X PUT", "/kv/greeting");
    assertThat(put.get("key").asString()).isEqualTo("greeting");
    assertThat(put.get("value").asString()).isEqualTo("hello");
    assertThat(put.get("previous").isNull()).as("previous of a new key: %s", put).isTrue();

    JsonNode get = runExample(examples.get(1), "curl http", "/kv/greeting");
    assertThat(get.get("value").asString()).isEqualTo("hello");

    JsonNode local = runExample(examples.get(2), "consistency=local", "/kv/greeting");
    assertThat(local.get("value").asString()).isEqualTo("hello");

    JsonNode cas = runExample(examples.get(3), "-X POST", "/kv/greeting/cas");
    assertThat(cas.get("key").asString()).isEqualTo("greeting");
    assertThat(cas.get("value").asString()).isEqualTo("hi");

    JsonNode list = runExample(examples.get(4), "?prefix=gr", "/kv");
    assertThat(list.propertyNames()).containsExactly("greeting");
    assertThat(list.get("greeting").asString()).isEqualTo("hi");

    JsonNode delete = runExample(examples.get(5), "-X DELETE", "/kv/greeting");
    assertThat(delete.get("deleted").asBoolean()).isTrue();

    JsonNode raft = runExample(examples.get(6), "curl http", "/actuator/raft");
    assertThat(raft.get("role").asString()).isIn("leader", "follower");
    assertThat(raft.get("leader").get("url").asString()).startsWith("http://localhost:");
    assertThat(raft.get("commit").asLong()).as("three writes committed: %s", raft).isGreaterThanOrEqualTo(3);

    JsonNode health = runExample(examples.get(7), "curl http", "/actuator/health");
    assertThat(health.get("status").asString()).isEqualTo("UP");
  }

  /**
   * Runs one example and parses what it printed. A 503 that says the request was "not-applied" or
   * "not-read" (an election under way) is retried after a pause: the person would simply run it
   * again.
   */
  private JsonNode runExample(String example, String shows, String path) throws Exception {
    assertThat(example).contains(shows).contains(path);
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (true) {
      Shell run = bash(example, Duration.ofMinutes(2));
      System.out.println("[example] " + example + "\n[example] -> exit " + run.exitCode() + ": " + run.stdout());
      assertThat(run.exitCode()).as("exit code of %s (stderr: %s)", example, run.stderr()).isZero();
      JsonNode json = DemoHttp.JSON.readTree(run.stdout());
      boolean retrySafe =
          json.has("outcome")
              && List.of("not-applied", "not-read").contains(json.get("outcome").asString());
      if (retrySafe && System.nanoTime() < deadline) {
        Thread.sleep(2000);
        continue;
      }
      assertThat(json.has("error") || json.has("detail"))
          .as("%s printed an error: %s", example, json)
          .isFalse();
      return json;
    }
  }

  /** PUTs through the survivors in turn until one applies it (a new leader needs an election). */
  private void putUntilApplied(List<Node> survivors, String key, String value) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    for (int attempt = 0; ; attempt++) {
      Node node = survivors.get(attempt % survivors.size());
      String result;
      try {
        Response response = http.put(node.url() + "/kv/" + key, value);
        if (response.status() == 200) {
          assertThat(response.json().get("value").asString()).isEqualTo(value);
          return;
        }
        // 503: not applied; 504: outcome unknown, and writing the same value again is harmless.
        assertThat(response.status()).as("PUT on node %d: %s", node.id(), response).isIn(503, 504);
        result = response.toString();
      } catch (IOException e) {
        result = e.toString();
      }
      if (System.nanoTime() > deadline) {
        fail("no write applied within " + RECOVERY + " after the leader was killed; last answer: " + result);
      }
      System.out.println("[e2e] PUT on node " + node.id() + ": " + result + "; retrying");
      Thread.sleep(1000);
    }
  }

  /** GETs until the node answers with something other than 503 or 504 (or a connection error). */
  private Response readUntilAnswered(String url) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (true) {
      String result;
      try {
        Response response = http.get(url);
        if (response.status() != 503 && response.status() != 504) {
          return response;
        }
        result = response.toString();
      } catch (IOException e) {
        result = e.toString();
      }
      if (System.nanoTime() > deadline) {
        fail("GET " + url + " still unavailable after " + RECOVERY + ": " + result);
      }
      Thread.sleep(1000);
    }
  }

  /** Polls a local read on a restarting node until it returns the value. */
  private Response awaitLocalValue(ScriptProcess node, String url, String value) throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    String last = "no answer";
    while (true) {
      try {
        Response response = http.get(url);
        last = response.toString();
        if (response.status() == 200 && value.equals(response.json().get("value").asString())) {
          return response;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      if (!node.isAlive()) {
        fail("the restarted node exited; its output:\n" + node.output());
      }
      if (System.nanoTime() > deadline) {
        fail("the restarted node did not serve " + value + " at " + url + " within " + STARTUP + "; last: " + last);
      }
      Thread.sleep(1000);
    }
  }

  private static void assertIsTheNodesJvm(Node node) {
    ProcessHandle handle =
        ProcessHandle.of(node.pid())
            .orElseThrow(() -> new AssertionError("node " + node.id() + ": no process " + node.pid()));
    Optional<String> command = handle.info().command();
    assertThat(command).as("the printed pid %d of node %d", node.pid(), node.id()).hasValueSatisfying(c -> assertThat(c).endsWith("java"));
    handle.info().arguments().ifPresent(args -> assertThat(args).contains("--raft.node-id=" + node.id()));
  }

  private static void awaitGone(long pid, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        fail("process " + pid + " still runs after " + timeout);
      }
      Thread.sleep(200);
    }
  }

  /** Kills any node JVM a failed run left behind. */
  private static void killLeftovers(List<Long> pids) {
    for (long pid : pids) {
      ProcessHandle.of(pid)
          .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static Map<Integer, Node> nodeLines(List<String> out) {
    Map<Integer, Node> nodes = new LinkedHashMap<>();
    for (String line : out) {
      if (NODE_LINE.matcher(line).matches()) {
        Node node = node(line);
        nodes.put(node.id(), node);
      }
    }
    return nodes;
  }

  private static Node node(String line) {
    Matcher m = NODE_LINE.matcher(line);
    assertThat(m.matches()).as("node line: %s", line).isTrue();
    return new Node(Integer.parseInt(m.group(1)), m.group(2), Long.parseLong(m.group(3)), m.group(4));
  }

  private static String line(List<String> out, String containing) {
    return out.stream()
        .filter(l -> l.contains(containing))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line with \"" + containing + "\" in:\n" + String.join("\n", out)));
  }

  /** The example command lines: the lines starting with "curl" after "Try it". */
  private static List<String> examples(List<String> out) {
    int from = out.indexOf(line(out, "Try it"));
    List<String> examples = new ArrayList<>();
    for (String l : out.subList(from + 1, out.size())) {
      if (l.isBlank()) {
        break;
      }
      if (l.trim().startsWith("curl ")) {
        examples.add(l.trim());
      }
    }
    return examples;
  }

  record Shell(int exitCode, String stdout, String stderr) {}

  private Shell bash(String command, Duration timeout) throws IOException, InterruptedException {
    Path stdout = Files.createTempFile(workDir, "shell-", ".out");
    Path stderr = Files.createTempFile(workDir, "shell-", ".err");
    try {
      Process p =
          new ProcessBuilder("bash", "-c", command)
              .directory(repo.toFile())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        fail("`" + command + "` did not finish within " + timeout);
      }
      return new Shell(
          p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static final long STARTED = System.nanoTime();

  private static void step(String what) {
    System.out.printf("[e2e +%ds] %s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED), what);
  }
}
