package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cluster benchmark: starts three {@code BenchServerApplication} JVMs on loopback, drives them
 * with the peer harness's closed-loop workload from this JVM and prints the results in the peer
 * harness's table format.
 *
 * <p>Options (all optional): {@code --measure S} (20), {@code --warmup S} (10), {@code --idle S}
 * (10; 0 skips the idle row), {@code --levels 1,16,256}, {@code --client http|embedded} (http),
 * {@code --server-opts "-Xms1g -Xmx1g -XX:+UseG1GC"} (where {@code {node}} stands for the node
 * number), {@code --data DIR} (where the H2 logs go; wiped first), {@code --out DIR} (results and
 * node logs), {@code --base-port 18081}, {@code --setup TEXT} (the table's setup column), and
 * after {@code --} any further arguments for the server nodes (Spring properties, e.g. {@code
 * --raft.max-inflight-msgs=512}).
 *
 * <p>How the client talks to the cluster: with {@code http}, HTTP/1.1 {@code PUT /kv/{key}} with
 * the 100-byte value as body, to the leader, one keep-alive connection per virtual client, from
 * this separate load JVM. With {@code embedded}, the same load driver runs inside the leader's JVM
 * and calls the replicated command directly (see {@link EmbeddedLoadServlet}); this JVM only
 * starts it and reads the result.
 */
public final class ClusterBench {

  static final String LIBRARY = "raftboot";

  private ClusterBench() {}

  public static void main(String[] args) throws Exception {
    int measure = 20;
    int warmup = 10;
    int idle = 10;
    int basePort = 18081;
    String levels = "1,16,256";
    String serverOpts = "-Xms1g -Xmx1g -XX:+UseG1GC";
    String setup = null;
    boolean embedded = false;
    Path data = Files.createTempDirectory("raftboot-cluster-bench");
    Path out = Path.of("raft-bench/target/cluster-results");
    List<String> serverArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--measure" -> measure = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--idle" -> idle = Integer.parseInt(args[++i]);
        case "--levels" -> levels = args[++i];
        case "--server-opts" -> serverOpts = args[++i];
        case "--data" -> data = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--base-port" -> basePort = Integer.parseInt(args[++i]);
        case "--setup" -> setup = args[++i];
        case "--client" -> {
          String client = args[++i];
          if (!client.equals("http") && !client.equals("embedded")) {
            throw new IllegalArgumentException("--client is http or embedded, not " + client);
          }
          embedded = client.equals("embedded");
        }
        case "--" -> {
          serverArgs.addAll(Arrays.asList(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String> jvmOptions = new ArrayList<>(Arrays.asList(serverOpts.trim().split("\\s+")));
    if (setup == null) {
      String log =
          serverArgs.stream()
                  .filter(a -> a.startsWith("--spring.datasource.url=jdbc:"))
                  .map(a -> a.substring("--spring.datasource.url=jdbc:".length()))
                  .map(a -> a.substring(0, a.indexOf(':')) + " log (the application's DataSource)")
                  .findFirst()
                  .orElse(
                      serverArgs.contains("--raft.storage.type=file")
                          ? "file log + force"
                          : "H2 log + CHECKPOINT SYNC");
      setup = "raftboot 0.1.0-SNAPSHOT, 3 JVMs, HTTP/1.1 transport, " + log
          + (embedded ? ", client in the leader's JVM" : "")
          + jvmNote(jvmOptions);
    }
    Files.createDirectories(out);
    Path tsv = out.resolve("results.tsv");
    List<Row> rows = new ArrayList<>();
    int exit = 0;
    System.out.println(
        "["
            + LIBRARY
            + "] client: "
            + (embedded
                ? "in the leader's JVM, calling the @ReplicatedCommand method (the starter's Java"
                    + " API) from C closed-loop virtual clients"
                : "HTTP/1.1 PUT /kv/{key} (100-byte body) to the leader from this load JVM, one"
                    + " keep-alive connection per virtual client")
            + "; servers: "
            + serverOpts);
    try (ServerNodes nodes =
        ServerNodes.start(3, basePort, jvmOptions, data, out.resolve("logs"), serverArgs)) {
      long t0 = System.nanoTime();
      nodes.awaitReady(180_000);
      int leaderPort = nodes.awaitLeaderPort(60_000);
      try (HttpPutClient client = new HttpPutClient(new InetSocketAddress("127.0.0.1", leaderPort));
          LoadDriver driver = new LoadDriver(PutChannel.http(client))) {
        if (!driver.putOnce(60_000)) {
          throw new IOException("the first put did not succeed within 60 s");
        }
        System.out.printf(
            "[%s] cluster up and first put committed in %.1f s (leader on port %d; %s)%n",
            LIBRARY, (System.nanoTime() - t0) / 1e9, leaderPort, setup);
        if (idle > 0) {
          System.out.printf("[%s] idle: settle 5 s, measure %d s ...%n", LIBRARY, idle);
          Thread.sleep(5000);
          Row r = LoadDriver.idle(LIBRARY, setup, idle, nodes.pids());
          r.appendTo(tsv);
          rows.add(r);
          System.out.println(r.markdown());
        }
        for (String level : levels.split(",")) {
          int c = Integer.parseInt(level.trim());
          System.out.printf("[%s] C=%d: warm-up %d s, measure %d s ...%n", LIBRARY, c, warmup, measure);
          Row r =
              embedded
                  ? EmbeddedRun.run(leaderPort, LIBRARY, setup, c, warmup, measure, nodes.pids())
                  : driver.run(LIBRARY, setup, c, warmup, measure, nodes.pids());
          r.appendTo(tsv);
          rows.add(r);
          System.out.println(r.markdown());
          if (!nodes.allAlive()) {
            throw new IOException("a server JVM exited during the run; see " + out.resolve("logs"));
          }
        }
      }
    } catch (Throwable t) {
      t.printStackTrace();
      exit = 1;
    }
    String table = Row.table(rows);
    Files.writeString(out.resolve("table.md"), table);
    System.out.println();
    System.out.println("== results (" + out + ")");
    System.out.print(table);
    System.out.flush();
    Runtime.getRuntime().halt(exit);
  }

  /** The server JVM options that differ from the peer harness's, for the setup column. */
  private static String jvmNote(List<String> jvmOptions) {
    StringBuilder note = new StringBuilder();
    for (String o : jvmOptions) {
      // -Xms always comes with an -Xmx of the same size, which is the one shown.
      boolean harnessDefault =
          o.startsWith("-Xms") || o.equalsIgnoreCase("-Xmx1g") || o.equals("-XX:+UseG1GC");
      if (!harnessDefault) {
        note.append(", ").append(o);
      }
    }
    return note.toString();
  }
}
