package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where one put spends its time, hand-off by hand-off: runs the closed-loop workload at C=1 on a
 * three-JVM cluster (as {@link ClusterBench} does) with the runtime's {@code dev.raftboot.Stage}
 * JFR events on, then joins the three recordings by request id and log index and prints the
 * median, 90th percentile and count of each stage over the puts submitted after the warm-up.
 * Times come from the events' {@code System.nanoTime()}, one clock for the three JVMs of a host.
 * The follower is, for each put, the one whose acknowledgement the leader stepped first (the one
 * that made the quorum).
 *
 * <pre>
 * mvn -B -o -q -pl raft-bench -am package -DskipTests
 * java -cp "raft-bench/target/classes:raft-bench/target/lib/*" dev.raftboot.bench.cluster.PutTrace \
 *   [--warmup 5] [--measure 10] [--out raft-bench/target/put-trace] [--server-opts "..."] [-- server args]
 * </pre>
 *
 * <p>{@code --trace FILE...} instead reads recordings of an earlier run (e.g. {@code
 * target/put-trace/node*.jfr}) without starting a cluster.
 */
public final class PutTrace {

  private static final String EVENT = "dev.raftboot.Stage";

  private PutTrace() {}

  public static void main(String[] args) throws Exception {
    int warmup = 5;
    int measure = 10;
    int basePort = 18181;
    String serverOpts = "-Xms512m -Xmx512m -XX:+UseG1GC";
    Path out = Path.of("raft-bench/target/put-trace");
    Path data = Files.createTempDirectory("raftboot-put-trace");
    List<Path> traces = new ArrayList<>();
    List<String> serverArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--measure" -> measure = Integer.parseInt(args[++i]);
        case "--base-port" -> basePort = Integer.parseInt(args[++i]);
        case "--server-opts" -> serverOpts = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--trace" -> {
          while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
            traces.add(Path.of(args[++i]));
          }
        }
        case "--" -> {
          serverArgs.addAll(Arrays.asList(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    long from = Long.MIN_VALUE;
    if (traces.isEmpty()) {
      from = run(warmup, measure, basePort, serverOpts, out, data, serverArgs);
      for (int n = 1; n <= 3; n++) {
        traces.add(out.resolve("node" + n + ".jfr"));
      }
    }
    List<Ev> events = new ArrayList<>();
    for (Path t : traces) {
      for (RecordedEvent e : RecordingFile.readAllEvents(t)) {
        if (e.getEventType().getName().equals(EVENT)) {
          events.add(Ev.of(e));
        }
      }
    }
    System.out.print(report(events, from));
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  /** Runs the cluster and the load; returns the nano time from which puts count. */
  private static long run(
      int warmup, int measure, int basePort, String serverOpts, Path out, Path data, List<String> serverArgs)
      throws Exception {
    Files.createDirectories(out);
    Path settings = out.resolve("stage.jfc");
    Files.writeString(
        settings,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration version=\"2.0\">\n"
            + "  <event name=\"" + EVENT + "\"><setting name=\"enabled\">true</setting>"
            + "<setting name=\"threshold\">0 ns</setting></event>\n</configuration>\n");
    List<String> jvm = new ArrayList<>(Arrays.asList(serverOpts.trim().split("\\s+")));
    jvm.add("-XX:StartFlightRecording=filename=" + out.toAbsolutePath() + "/node{node}.jfr,settings="
        + settings.toAbsolutePath() + ",dumponexit=true");
    long from;
    try (ServerNodes nodes = ServerNodes.start(3, basePort, jvm, data, out.resolve("logs"), serverArgs)) {
      nodes.awaitReady(180_000);
      int leaderPort = nodes.awaitLeaderPort(60_000);
      try (HttpPutClient client = new HttpPutClient(new InetSocketAddress("127.0.0.1", leaderPort));
          LoadDriver driver = new LoadDriver(PutChannel.http(client))) {
        if (!driver.putOnce(60_000)) {
          throw new IOException("the first put did not succeed within 60 s");
        }
        from = System.nanoTime() + warmup * 1_000_000_000L;
        Row r = driver.run(ClusterBench.LIBRARY, "put trace, C=1", 1, warmup, measure, nodes.pids());
        System.out.printf(
            "client: %d puts in %.1f s, p50 %.2f ms, p99 %.2f ms (HTTP put to the leader, C=1)%n",
            r.ops(), r.seconds(), r.p50ms(), r.p99ms());
      }
    }
    return from;
  }

  /** One stage event. */
  record Ev(String stage, long node, long peer, String message, long index, long requestId, long nanos) {
    static Ev of(RecordedEvent e) {
      return new Ev(
          e.getString("stage"),
          e.getLong("node"),
          e.getLong("peer"),
          e.getString("message"),
          e.getLong("index"),
          e.getLong("requestId"),
          e.getLong("nanoTime"));
    }
  }

  /** The stages of one put, in path order: name and the put's time there (or -1: not found). */
  static String report(List<Ev> events, long from) {
    events.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    Map<Long, Ev> entryByRequest = new HashMap<>();
    Map<Long, Ev> appliedByRequest = new HashMap<>();
    Map<Long, Ev> completedByRequest = new HashMap<>();
    Map<Long, Ev> proposeByRequest = new HashMap<>();
    List<Ev> submits = new ArrayList<>();
    for (Ev e : events) {
      switch (e.stage()) {
        case "submit" -> submits.add(e);
        case "propose" -> proposeByRequest.putIfAbsent(key(e.node(), e.requestId()), e);
        case "entry" -> entryByRequest.putIfAbsent(key(e.node(), e.requestId()), e);
        case "applied" -> appliedByRequest.putIfAbsent(key(e.node(), e.requestId()), e);
        case "completed" -> completedByRequest.putIfAbsent(key(e.node(), e.requestId()), e);
        default -> {}
      }
    }
    Stages stages = new Stages();
    int traced = 0;
    for (Ev submit : submits) {
      if (submit.nanos() < from) {
        continue;
      }
      long leader = submit.node();
      long k = key(leader, submit.requestId());
      Ev propose = proposeByRequest.get(k);
      Ev entry = entryByRequest.get(k);
      Ev applied = appliedByRequest.get(k);
      Ev completed = completedByRequest.get(k);
      if (propose == null || entry == null || applied == null || completed == null) {
        continue;
      }
      long idx = entry.index();
      // The follower whose acknowledgement the leader stepped first made the quorum.
      Ev ackStep = first(events, entry.nanos(), e -> e.node() == leader && e.stage().equals("step")
          && "MsgAppResp".equals(e.message()) && e.index() >= idx);
      if (ackStep == null) {
        continue;
      }
      long f = ackStep.peer();
      Ev lPersistStart = first(events, entry.nanos(), e -> is(e, leader, "persist-start") && e.index() >= idx);
      Ev lPersistEnd = lPersistStart == null ? null
          : first(events, lPersistStart.nanos(), e -> is(e, leader, "persist-end") && e.index() >= idx);
      Ev lPersisted = lPersistEnd == null ? null
          : first(events, lPersistEnd.nanos(), e -> is(e, leader, "persisted") && e.index() >= idx);
      Ev appSend = first(events, entry.nanos(), e -> is(e, leader, "send") && e.peer() == f
          && "MsgApp".equals(e.message()) && e.index() >= idx);
      Ev fReceive = appSend == null ? null : first(events, appSend.nanos(), e -> is(e, f, "receive")
          && "MsgApp".equals(e.message()) && e.index() >= idx);
      Ev fStep = fReceive == null ? null : first(events, fReceive.nanos(), e -> is(e, f, "step")
          && "MsgApp".equals(e.message()) && e.index() >= idx);
      Ev fPersistStart = fStep == null ? null
          : first(events, fStep.nanos(), e -> is(e, f, "persist-start") && e.index() >= idx);
      Ev fPersistEnd = fPersistStart == null ? null
          : first(events, fPersistStart.nanos(), e -> is(e, f, "persist-end") && e.index() >= idx);
      Ev ackSend = fPersistEnd == null ? null : first(events, fPersistEnd.nanos(), e -> is(e, f, "send")
          && e.peer() == leader && "MsgAppResp".equals(e.message()) && e.index() >= idx);
      Ev ackReceive = ackSend == null ? null : first(events, ackSend.nanos(), e -> is(e, leader, "receive")
          && e.peer() == f && "MsgAppResp".equals(e.message()) && e.index() >= idx);
      Ev commit = first(events, entry.nanos(), e -> is(e, leader, "commit") && e.index() >= idx);
      if (lPersisted == null || ackReceive == null || commit == null) {
        continue;
      }
      traced++;
      stages.add("submit -> raft loop takes the command", submit, propose);
      stages.add("raft loop: command -> Ready with its entry", propose, entry);
      stages.add("leader: Ready -> MsgApp to the transport", entry, appSend);
      stages.add("leader: Ready -> persist stage starts the write", entry, lPersistStart);
      stages.add("leader: write + sync", lPersistStart, lPersistEnd);
      stages.add("leader: write done -> own ack stepped", lPersistEnd, lPersisted);
      stages.add("MsgApp: transport -> follower's endpoint", appSend, fReceive);
      stages.add("follower: endpoint -> raft loop steps MsgApp", fReceive, fStep);
      stages.add("follower: step -> persist stage starts the write", fStep, fPersistStart);
      stages.add("follower: write + sync", fPersistStart, fPersistEnd);
      stages.add("follower: write done -> ack to the transport", fPersistEnd, ackSend);
      stages.add("MsgAppResp: transport -> leader's endpoint", ackSend, ackReceive);
      stages.add("leader: endpoint -> raft loop steps the ack", ackReceive, ackStep);
      stages.add("leader: ack and own write stepped -> commit", latest(ackStep, lPersisted), commit);
      stages.add("commit -> apply loop applied the command", commit, applied);
      stages.add("applied -> caller's future completed", applied, completed);
      stages.add("total: submit -> caller's future completed", submit, completed);
    }
    return "puts traced: " + traced + "\n" + stages.table();
  }

  private static boolean is(Ev e, long node, String stage) {
    return e.node() == node && e.stage().equals(stage);
  }

  private static Ev latest(Ev a, Ev b) {
    return a.nanos() >= b.nanos() ? a : b;
  }

  private static long key(long node, long requestId) {
    return node * 1_000_000_007L + requestId;
  }

  /** The first event at or after {@code nanos} that matches, in time order. */
  private static Ev first(List<Ev> sorted, long nanos, java.util.function.Predicate<Ev> match) {
    int lo = 0;
    int hi = sorted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted.get(mid).nanos() < nanos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    // C=1: the next put's events follow within milliseconds, so a short scan finds the match.
    for (int i = lo; i < sorted.size() && i < lo + 10_000; i++) {
      if (match.test(sorted.get(i))) {
        return sorted.get(i);
      }
    }
    return null;
  }

  /** Durations per stage, in insertion order. */
  private static final class Stages {
    private final Map<String, List<Long>> micros = new java.util.LinkedHashMap<>();

    void add(String stage, Ev start, Ev end) {
      List<Long> l = micros.computeIfAbsent(stage, s -> new ArrayList<>());
      if (start != null && end != null) {
        l.add((end.nanos() - start.nanos()) / 1000);
      }
    }

    String table() {
      StringBuilder sb = new StringBuilder("| stage | median µs | p90 µs | puts |\n|---|---:|---:|---:|\n");
      for (Map.Entry<String, List<Long>> s : micros.entrySet()) {
        List<Long> l = new ArrayList<>(s.getValue());
        l.sort(Long::compare);
        if (l.isEmpty()) {
          sb.append("| ").append(s.getKey()).append(" | - | - | 0 |\n");
        } else {
          sb.append(String.format(
              "| %s | %d | %d | %d |%n",
              s.getKey(), l.get(l.size() / 2), l.get((int) Math.min(l.size() - 1, l.size() * 9L / 10)), l.size()));
        }
      }
      return sb.toString();
    }
  }
}
