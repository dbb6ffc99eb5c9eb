package dev.raftboot.bench.cluster;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The three server JVMs: same java binary and class path as this JVM, main class {@code
 * BenchServerApplication}, each node with its own port, H2 data folder and log file.
 */
final class ServerNodes implements AutoCloseable {

  static final String MAIN = "dev.raftboot.bench.server.BenchServerApplication";

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  static ServerNodes start(
      int count, int basePort, List<String> jvmOptions, Path dataDir, Path logDir, List<String> extraArgs)
      throws IOException {
    Files.createDirectories(logDir);
    ServerNodes nodes = new ServerNodes();
    Runtime.getRuntime().addShutdownHook(new Thread(nodes::close));
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath = System.getProperty("java.class.path");
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      peers.add("--raft.peers." + i + "=http://127.0.0.1:" + (basePort + i - 1));
    }
    for (int i = 1; i <= count; i++) {
      int port = basePort + i - 1;
      Path data = dataDir.resolve("node-" + i);
      deleteTree(data);
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      for (String o : jvmOptions) {
        // "{node}" in an option becomes the node number, e.g. for per-node recording files.
        cmd.add(o.replace("{node}", Integer.toString(i)));
      }
      cmd.add("-cp");
      cmd.add(classPath);
      cmd.add(MAIN);
      cmd.add("--server.port=" + port);
      cmd.add("--server.address=127.0.0.1");
      cmd.add("--raft.node-id=" + i);
      cmd.add("--raft.storage.data-dir=" + data);
      cmd.addAll(peers);
      cmd.addAll(extraArgs);
      Path log = logDir.resolve("node" + i + ".log");
      Files.deleteIfExists(log);
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      nodes.processes.add(p);
      nodes.logs.add(log);
      nodes.ports.add(port);
    }
    return nodes;
  }

  void awaitReady(long timeoutMs) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    for (int i = 0; i < processes.size(); i++) {
      while (!(Files.exists(logs.get(i)) && Files.readString(logs.get(i)).contains("READY"))) {
        if (!processes.get(i).isAlive()) {
          throw new IOException("server " + (i + 1) + " exited; see " + logs.get(i));
        }
        if (System.currentTimeMillis() > deadline) {
          throw new IOException("server " + (i + 1) + " not ready in time; see " + logs.get(i));
        }
        Thread.sleep(100);
      }
    }
  }

  /** The leader's port, as node 1 reports it once a leader is elected. */
  int awaitLeaderPort(long timeoutMs) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      for (int port : ports) {
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            // "<id> <url>"
            String url = r.body().trim().split(" ")[1];
            return URI.create(url).getPort();
          }
        } catch (IOException | RuntimeException e) {
          // not up yet
        }
      }
      Thread.sleep(200);
    }
    throw new IOException("no leader elected within " + timeoutMs + " ms");
  }

  List<Long> pids() {
    List<Long> out = new ArrayList<>();
    for (Process p : processes) {
      out.add(p.pid());
    }
    return out;
  }

  boolean allAlive() {
    return processes.stream().allMatch(Process::isAlive);
  }

  @Override
  public synchronized void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        // Long enough for a training run's JVMs to write their class-data archives at exit.
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
