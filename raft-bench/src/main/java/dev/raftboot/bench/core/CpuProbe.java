package dev.raftboot.bench.core;

import com.google.protobuf.ByteString;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The same loops as {@link ProposeBenchmark}, measured in CPU time of the benchmark thread rather
 * than wall-clock time: on a machine shared with other work (where JMH's throughput mostly measures
 * the scheduler) the CPU nanoseconds and bytes allocated per proposal still compare one build with
 * another. Not a replacement for the JMH numbers on a quiet machine.
 *
 * <p>Usage: {@code java -cp raft-bench/target/benchmarks.jar dev.raftboot.bench.core.CpuProbe
 * [cpu-seconds-measured-per-case [cpu-seconds-warm-up-per-case]]}. The warm-up is counted in CPU
 * seconds of the benchmark thread: on a busy machine the JIT compiler threads get little CPU and
 * the code takes several CPU seconds to reach its compiled steady state.
 */
public final class CpuProbe {

  private CpuProbe() {}

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 8;
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    ByteString payload = MemoryCluster.payload(ProposeBenchmark.PAYLOAD);
    System.out.println(
        "| nodes | batch | CPU ns/proposal | bytes allocated/proposal | proposals/CPU-second | proposals/s (wall) |");
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    for (int nodes : new int[] {1, 3}) {
      for (int batch : new int[] {1, 16, 256, -256}) {
        // A negative batch: the same number of proposals in one MsgProp (RawNode.propose(List)).
        MemoryCluster c = new MemoryCluster(nodes);
        // Warm-up on the same cluster, then measure.
        run(c, batch, payload, mx, warmup);
        long committedBefore = c.committedOnLeader;
        long tid = Thread.currentThread().getId();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long alloc0 = mx.getThreadAllocatedBytes(tid);
        long proposals = run(c, batch, payload, mx, seconds);
        String label = batch > 0 ? Integer.toString(batch) : -batch + " in one MsgProp";
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        long alloc = mx.getThreadAllocatedBytes(tid) - alloc0;
        long committed = c.committedOnLeader - committedBefore;
        if (committed < proposals - 3L * Math.abs(batch)) {
          throw new IllegalStateException("committed " + committed + " of " + proposals);
        }
        System.out.printf(
            Locale.ROOT,
            "| %d | %s | %.0f | %.0f | %,.0f | %,.0f |%n",
            nodes, label, (double) cpu / proposals, (double) alloc / proposals,
            proposals / (cpu / 1e9), proposals / (wall / 1e9));
      }
    }
  }

  private static long run(MemoryCluster c, int batch, ByteString payload, ThreadMXBean mx, double seconds) {
    long until = mx.getCurrentThreadCpuTime() + (long) (seconds * 1e9);
    long n = 0;
    java.util.List<ByteString> all = java.util.Collections.nCopies(Math.abs(batch), payload);
    while (true) {
      for (int k = 0; k < 64; k++) {
        if (batch > 0) {
          for (int i = 0; i < batch; i++) {
            c.leader().propose(payload);
          }
        } else {
          c.leader().propose(all);
        }
        ProposeBenchmark.round(c);
        n += Math.abs(batch);
      }
      if (mx.getCurrentThreadCpuTime() > until) {
        return n;
      }
    }
  }
}
