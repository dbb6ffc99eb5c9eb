package dev.raftboot.demo;

import dev.raftboot.testkit.linearizability.HistoryEntry;
import dev.raftboot.testkit.linearizability.Operation;
import dev.raftboot.testkit.linearizability.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The apply-once check a history of the demo allows, when every write's value is unique: a value
 * that reads saw, then a read that began after them saw another value (or none), then a read that
 * began after that one ended saw the first value again. One operation wrote that value, so it took
 * effect twice: a retried write applied again (or a stale node serving reads, which the
 * linearizability check reports as well).
 *
 * <p>It proves nothing about double applications no read happened to straddle (a write applied
 * again before anything else changed its key leaves no trace in the state), and it says nothing
 * about deletes, whose second application shows as a lost write, which the linearizability check
 * catches when a read sees it.
 */
final class ReappearingValues {

  private ReappearingValues() {}

  /** Each value seen again after another one, one line each; empty when there is none. */
  static List<String> find(List<HistoryEntry> history) {
    Map<String, List<HistoryEntry>> readsByKey = new HashMap<>();
    for (HistoryEntry e : history) {
      if (e.operation() instanceof Operation.Get && e.result() instanceof Result.OkValue) {
        readsByKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
      }
    }
    List<String> out = new ArrayList<>();
    readsByKey.forEach((key, reads) -> {
      // Per value: when its first read ended, when its last read began.
      Map<String, long[]> spans = new HashMap<>();
      for (HistoryEntry r : reads) {
        long[] span = spans.computeIfAbsent(value(r), v -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        span[0] = Math.min(span[0], r.responseTime());
        span[1] = Math.max(span[1], r.invokeTime());
      }
      spans.forEach((value, span) -> {
        if (value == null) {
          return; // absent is no value a write installs once
        }
        for (HistoryEntry between : reads) {
          if (!value.equals(value(between)) && between.invokeTime() > span[0] && between.responseTime() < span[1]) {
            String seen = value(between) == null ? "no value" : key + "=" + value(between);
            out.add(key + "=" + value + " read again after a read of " + seen + " (op #" + between.id()
                + ") that followed it");
            return;
          }
        }
      });
    });
    return out;
  }

  private static String value(HistoryEntry read) {
    return ((Result.OkValue) read.result()).value();
  }
}
