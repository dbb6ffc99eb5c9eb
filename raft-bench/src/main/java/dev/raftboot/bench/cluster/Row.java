package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * One line of the results table. The Markdown columns are the peer harness's, so that the tables
 * can be read side by side; the TSV line has the peer harness's column order too.
 */
record Row(
    String library,
    String setup,
    int concurrency,
    double seconds,
    long ops,
    double p50ms,
    double p99ms,
    double p999ms,
    double maxMs,
    long errors,
    double serverCpuSeconds,
    double clientCpuSeconds,
    double machineBusySeconds) {

  static final String HEADER =
      "| library | setup | C | ops/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | server CPU (cores) "
          + "| client CPU (cores) | machine busy (cores of 2) | CPU µs/op |\n"
          + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";

  double opsPerSecond() {
    return ops / seconds;
  }

  /** The Markdown table line; {@code C} 0 is the idle row. */
  String markdown() {
    String cpuPerOp =
        ops == 0 ? "-" : String.format(Locale.ROOT, "%.0f", (serverCpuSeconds + clientCpuSeconds) * 1e6 / ops);
    String latency =
        ops == 0
            ? "- | - | - | -"
            : String.format(Locale.ROOT, "%.2f | %.2f | %.2f | %.1f", p50ms, p99ms, p999ms, maxMs);
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %,.0f | %s | %d | %.2f | %.2f | %.2f | %s |",
        library,
        setup,
        concurrency == 0 ? "idle" : Integer.toString(concurrency),
        opsPerSecond(),
        latency,
        errors,
        serverCpuSeconds / seconds,
        clientCpuSeconds / seconds,
        machineBusySeconds / seconds,
        cpuPerOp);
  }

  /** The peer harness's TSV layout (library, mode, C, seconds, ops, ops/s, latencies, ...). */
  String tsv() {
    return String.join(
        "\t",
        library,
        setup,
        Integer.toString(concurrency),
        f(seconds),
        Long.toString(ops),
        f(opsPerSecond()),
        f(p50ms),
        f(p99ms),
        f(p999ms),
        f(maxMs),
        Long.toString(errors),
        f(serverCpuSeconds),
        f(clientCpuSeconds),
        f(machineBusySeconds));
  }

  /** The row that {@link #tsv} wrote. */
  static Row parseTsv(String line) {
    String[] f = line.strip().split("\t");
    if (f.length != 14) {
      throw new IllegalArgumentException("not a result line: " + line);
    }
    return new Row(
        f[0],
        f[1],
        Integer.parseInt(f[2]),
        Double.parseDouble(f[3]),
        Long.parseLong(f[4]),
        Double.parseDouble(f[6]),
        Double.parseDouble(f[7]),
        Double.parseDouble(f[8]),
        Double.parseDouble(f[9]),
        Long.parseLong(f[10]),
        Double.parseDouble(f[11]),
        Double.parseDouble(f[12]),
        Double.parseDouble(f[13]));
  }

  void appendTo(Path tsvFile) throws IOException {
    Files.writeString(
        tsvFile, tsv() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder(HEADER);
    for (Row r : rows) {
      sb.append(r.markdown()).append('\n');
    }
    return sb.toString();
  }

  private static String f(double d) {
    return String.format(Locale.ROOT, "%.4f", d);
  }
}
