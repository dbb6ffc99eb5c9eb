package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Attributes the CPU of server JVMs to the stages of a put, from JFR recordings of a cluster run
 * ({@code SERVER_JVM_OPTS=-XX:StartFlightRecording=filename=<dir>/,settings=profile}): each Java
 * execution sample goes to the first stage, in the table's order, with code anywhere on its stack
 * (a storage call from the raft loop counts as storage, the state machine called by the apply loop
 * as apply), and the JIT compiler threads, which JFR does not sample, are weighed by their thread
 * CPU load against the other Java threads'. GC threads are not Java threads and are left out.
 * With {@code --last N} only the last N seconds of each recording count (the measured window of a
 * run whose JVMs stop right after it). Prints a markdown table of the share of each stage.
 *
 * <pre>
 * java -cp raft-bench/target/classes dev.raftboot.bench.cluster.StageProfile [--last SECONDS] file.jfr...
 * </pre>
 */
public final class StageProfile {

  /** Stage names, with the class-name fragments that identify them, in matching order. */
  private static final Map<String, List<String>> STAGES = new LinkedHashMap<>();

  static {
    STAGES.put("storage (JDBC, H2)", List.of("dev.raftboot.spring.storage.", "org.h2."));
    STAGES.put(
        "peer receive (endpoint, checks, decode)",
        List.of(
            "dev.raftboot.spring.transport.RaftPeer",
            "dev.raftboot.spring.transport.PeerEndpoint",
            "dev.raftboot.spring.transport.PeerAuthenticator",
            "dev.raftboot.spring.transport.MessageFraming.decode"));
    STAGES.put(
        "peer send (encode, sign, write)",
        List.of(
            "dev.raftboot.spring.transport.PeerSender",
            "dev.raftboot.spring.transport.HttpRaftTransport",
            "dev.raftboot.spring.transport.PeerConnection"));
    STAGES.put(
        "apply (decode, invoke, complete)",
        List.of("dev.raftboot.spring.runtime.ApplyLoop", "dev.raftboot.spring.command.ReplicatedCommandApplier"));
    STAGES.put(
        "raft loop (step, propose, Ready)",
        List.of("dev.raftboot.spring.runtime.RaftLoop", "dev.raftboot.spring.runtime.Persist"));
    STAGES.put(
        "client call (HTTP put, proposal)",
        List.of("dev.raftboot.bench.server.", "dev.raftboot.spring.command.", "dev.raftboot.bench.cluster."));
    STAGES.put("HTTP server (Tomcat, Spring MVC)", List.of("org.apache.", "org.springframework.web."));
  }

  private StageProfile() {}

  public static void main(String[] args) throws IOException {
    long lastSeconds = Long.MAX_VALUE;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--last")) {
        lastSeconds = Long.parseLong(args[++i]);
      } else {
        files.add(Path.of(args[i]));
      }
    }
    if (files.isEmpty()) {
      System.err.println("usage: StageProfile [--last SECONDS] file.jfr...");
      System.exit(2);
    }
    Map<String, Long> samples = new LinkedHashMap<>();
    STAGES.keySet().forEach(s -> samples.put(s, 0L));
    samples.put("other Java code", 0L);
    double jitCpu = 0;
    double javaSampledCpu = 0;
    for (Path file : files) {
      List<RecordedEvent> events = RecordingFile.readAllEvents(file);
      Instant end = events.stream().map(RecordedEvent::getEndTime).max(Instant::compareTo).orElse(Instant.MIN);
      // Only the end of the recording: the measured window, not start-up and warm-up.
      Instant from = lastSeconds == Long.MAX_VALUE ? Instant.MIN : end.minusSeconds(lastSeconds);
      for (RecordedEvent e : events) {
        if (e.getStartTime().isBefore(from)) {
          continue;
        }
        switch (e.getEventType().getName()) {
          case "jdk.ExecutionSample" -> samples.merge(stageOf(e.getStackTrace()), 1L, Long::sum);
          case "jdk.ThreadCPULoad" -> {
            String thread =
                e.getThread("eventThread") == null ? null : e.getThread("eventThread").getJavaName();
            double load = e.getFloat("user") + e.getFloat("system");
            if (thread != null && thread.contains("CompilerThread")) {
              jitCpu += load;
            } else {
              javaSampledCpu += load;
            }
          }
          default -> {}
        }
      }
    }
    long total = samples.values().stream().mapToLong(Long::longValue).sum();
    double all = jitCpu + javaSampledCpu;
    double javaShare = all == 0 ? 1 : javaSampledCpu / all;
    System.out.println("| stage | share of the servers' Java-thread CPU | samples |");
    System.out.println("|---|---:|---:|");
    for (Map.Entry<String, Long> s : samples.entrySet()) {
      double share = total == 0 ? 0 : javaShare * s.getValue() / total;
      System.out.printf("| %s | %.1f %% | %d |%n", s.getKey(), 100 * share, s.getValue());
    }
    if (all > 0) {
      System.out.printf("| JIT compiler threads | %.1f %% | - |%n", 100 * jitCpu / all);
    }
  }

  /** The first stage, in the order of {@link #STAGES}, with a frame anywhere on the stack. */
  private static String stageOf(RecordedStackTrace stack) {
    if (stack == null) {
      return "other Java code";
    }
    List<String> frames = new ArrayList<>();
    for (RecordedFrame frame : stack.getFrames()) {
      frames.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
    }
    for (Map.Entry<String, List<String>> s : STAGES.entrySet()) {
      for (String where : frames) {
        for (String fragment : s.getValue()) {
          if (where.startsWith(fragment)) {
            return s.getKey();
          }
        }
      }
    }
    return "other Java code";
  }
}
