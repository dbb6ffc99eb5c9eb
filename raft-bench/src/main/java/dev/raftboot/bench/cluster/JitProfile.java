package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Which code the C2 compiler spends its time on, from JFR recordings of a cluster run that record
 * every compilation ({@code SERVER_JVM_OPTS="-XX:StartFlightRecording=filename=<dir>/,
 * settings=profile,jdk.Compilation#threshold=0ms,dumponexit=true"}; the profile settings alone
 * keep only compilations over 100 ms). On a 2-core machine shared by four JVMs the compiler threads
 * compete with the work, so a compilation's duration is wall time, not CPU: compare the shares
 * between libraries and phases, not the seconds with another machine.
 *
 * <p>Time is split into phases of {@code --phase} seconds counted from each recording's first
 * event (default 30, the warm-up plus measure window of {@code cluster-bench.sh 20 10}), and
 * within each phase by library, from the compiled method's package. Prints a markdown table per
 * recording.
 *
 * <pre>
 * java -cp raft-bench/target/classes dev.raftboot.bench.cluster.JitProfile [--phase SECONDS] file.jfr...
 * </pre>
 */
public final class JitProfile {

  /** Libraries by package prefix, in matching order; the rest is "other". */
  private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

  static {
    LIBRARIES.put("org.h2.mvstore.", "H2 MVStore");
    LIBRARIES.put("org.h2.", "H2 SQL and JDBC");
    LIBRARIES.put("org.apache.", "Tomcat");
    LIBRARIES.put("org.springframework.", "Spring");
    LIBRARIES.put("io.micrometer.", "Micrometer");
    LIBRARIES.put("dev.raftboot.spring.", "raftboot runtime");
    LIBRARIES.put("dev.raftboot.bench.", "benchmark server");
    LIBRARIES.put("dev.raftboot.", "raft-core");
    LIBRARIES.put("com.google.protobuf.", "protobuf");
    LIBRARIES.put("com.zaxxer.", "HikariCP");
    LIBRARIES.put("java.", "JDK");
    LIBRARIES.put("javax.", "JDK");
    LIBRARIES.put("jdk.", "JDK");
    LIBRARIES.put("sun.", "JDK");
  }

  private JitProfile() {}

  public static void main(String[] args) throws IOException {
    int phaseSeconds = 30;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--phase")) {
        phaseSeconds = Integer.parseInt(args[++i]);
      } else {
        files.add(Path.of(args[i]));
      }
    }
    if (files.isEmpty()) {
      System.err.println("usage: JitProfile [--phase SECONDS] file.jfr...");
      System.exit(2);
    }
    for (Path file : files) {
      print(file, phaseSeconds);
    }
  }

  private static void print(Path file, int phaseSeconds) throws IOException {
    List<RecordedEvent> compilations = new ArrayList<>();
    Instant start = null;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (start == null || e.getStartTime().isBefore(start)) {
        start = e.getStartTime();
      }
      if (e.getEventType().getName().equals("jdk.Compilation") && e.getInt("compileLevel") == 4) {
        compilations.add(e);
      }
    }
    if (compilations.isEmpty()) {
      System.out.println(
          file.getFileName() + ": no C2 compilations recorded (jdk.Compilation#threshold=0ms?)");
      return;
    }
    // phase -> library -> {milliseconds, count}
    Map<Integer, Map<String, long[]>> phases = new LinkedHashMap<>();
    for (RecordedEvent e : compilations) {
      int phase = (int) (Duration.between(start, e.getStartTime()).toSeconds() / phaseSeconds);
      RecordedMethod method = e.getValue("method");
      String library = library(method == null ? "" : method.getType().getName());
      long[] cell =
          phases
              .computeIfAbsent(phase, p -> new LinkedHashMap<>())
              .computeIfAbsent(library, l -> new long[2]);
      cell[0] += e.getDuration().toMillis();
      cell[1]++;
    }
    List<String> columns = new ArrayList<>(new LinkedHashSet<>(LIBRARIES.values()));
    columns.add("other");
    System.out.println("### " + file.getFileName() + ": C2 compile time (s) by library and phase");
    System.out.println();
    StringBuilder head = new StringBuilder("| seconds from start | C2 total |");
    StringBuilder rule = new StringBuilder("|---|---:|");
    for (String c : columns) {
      head.append(' ').append(c).append(" |");
      rule.append("---:|");
    }
    System.out.println(head);
    System.out.println(rule);
    phases.keySet().stream()
        .sorted()
        .forEach(
            phase -> {
              Map<String, long[]> byLibrary = phases.get(phase);
              long total = byLibrary.values().stream().mapToLong(c -> c[0]).sum();
              StringBuilder row =
                  new StringBuilder(
                      String.format(
                          "| %d-%d | %.1f |", phase * phaseSeconds, (phase + 1) * phaseSeconds, total / 1000.0));
              for (String c : columns) {
                long[] cell = byLibrary.get(c);
                row.append(
                    cell == null
                        ? " - |"
                        : String.format(" %.1f (%d %%) |", cell[0] / 1000.0, 100 * cell[0] / Math.max(1, total)));
              }
              System.out.println(row);
            });
    System.out.println();
  }

  private static String library(String className) {
    for (Map.Entry<String, String> e : LIBRARIES.entrySet()) {
      if (className.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return "other";
  }
}
