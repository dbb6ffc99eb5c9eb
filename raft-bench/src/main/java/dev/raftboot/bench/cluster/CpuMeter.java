package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU seconds from Linux's {@code /proc}: user + system time of a process from {@code
 * /proc/<pid>/stat} (fields 14 and 15), and the busy time of the whole machine from the first
 * line of {@code /proc/stat} (all fields but idle and iowait). Both count in clock ticks of 1/100 s.
 */
final class CpuMeter {

  private static final double TICKS_PER_SECOND = 100.0;

  private CpuMeter() {}

  /** CPU seconds used so far by {@code pid}, or NaN if unreadable (not Linux, process gone). */
  static double processSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces; the fields after it are fixed.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Busy CPU seconds of all cores together since boot, or NaN. */
  static double machineBusySeconds() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long busy = 0;
      // cpu user nice system idle iowait irq softirq steal
      for (int i = 1; i <= 8 && i < f.length; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** CPU counters at one instant. */
  record Snapshot(double servers, double client, double machineBusy, long nanos) {

    static Snapshot take(List<Long> serverPids) {
      double s = 0;
      for (long pid : serverPids) {
        s += processSeconds(pid);
      }
      // A load driver inside a server JVM is already counted with the servers.
      long self = ProcessHandle.current().pid();
      double client = serverPids.contains(self) ? 0 : processSeconds(self);
      return new Snapshot(s, client, machineBusySeconds(), System.nanoTime());
    }
  }
}
