package dev.raftboot.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-checks a saved {@link History} from its file alone, without the simulation: at most one
 * leader per term ({@link Check#ONE_LEADER_PER_TERM}); one entry per committed index, as known
 * from commit indexes ({@link Check#COMMITTED_NEVER_LOST}) and from applies ({@link
 * Check#STATE_MACHINE_SAFETY}); one state machine hash per applied index ({@link
 * Check#STATE_MACHINE_SAFETY}); and every read answered at an index no lower than the highest
 * index known committed when it was asked ({@link Check#READ_INDEX}). What it cannot re-check is
 * durability at commit time, which needs the disks; the in-run verdict line says what the run
 * found.
 */
final class HistoryCheck {

  /** The outcome: violations by check (with the first of each), and how much was read. */
  record Verdict(Map<Check, Integer> counts, Map<Check, String> first, long events,
      String recorded) {

    boolean ok() {
      return counts.isEmpty();
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append("history re-check: ").append(events).append(" events, violations: ")
          .append(counts.isEmpty() ? "0" : counts.toString());
      first.forEach((c, m) -> sb.append("\n  first ").append(c).append(": ").append(m));
      if (recorded != null) {
        sb.append("\n  recorded in the run: ").append(recorded);
      }
      return sb.toString();
    }
  }

  private final Map<Check, Integer> counts = new EnumMap<>(Check.class);
  private final Map<Check, String> first = new EnumMap<>(Check.class);
  private final HashMap<Long, Long> leaderOfTerm = new HashMap<>();
  private final HashMap<Long, Long> entryAt = new HashMap<>();
  private final HashMap<Long, Long> stateAt = new HashMap<>();
  /** Read request -> the highest index known committed when it was asked. */
  private final HashMap<Long, Long> readAsked = new HashMap<>();
  private long maxCommitted;

  static Verdict check(Path file) throws IOException {
    return check(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static Verdict check(List<String> lines) {
    if (lines.isEmpty() || !lines.get(0).equals(History.HEADER)) {
      throw new IllegalArgumentException(
          "not a simulation history: the first line must be '" + History.HEADER + "'");
    }
    HistoryCheck c = new HistoryCheck();
    long events = 0;
    String recorded = null;
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(" ");
      if (f.length < 3) {
        throw new IllegalArgumentException("line " + (i + 1) + ": expected 'STEP TIME EVENT ...'");
      }
      events++;
      Map<String, String> kv = new HashMap<>();
      for (int k = 3; k < f.length; k++) {
        int eq = f[k].indexOf('=');
        if (eq > 0) {
          kv.putIfAbsent(f[k].substring(0, eq), f[k].substring(eq + 1));
        }
      }
      String where = "line " + (i + 1) + " (" + line + ")";
      switch (f[2]) {
        case "leader" -> c.leader(num(kv, "node", i), num(kv, "term", i), where);
        case "commit" -> c.commit(num(kv, "index", i), Long.parseUnsignedLong(kv.get("entry"), 16),
            "apply".equals(kv.get("by")), where);
        case "state" -> c.state(num(kv, "index", i), Long.parseUnsignedLong(kv.get("hash"), 16),
            where);
        case "read" -> c.readAsked.put(num(kv, "ctx", i), c.maxCommitted);
        case "read-index" -> c.readIndex(num(kv, "ctx", i), num(kv, "index", i), where);
        case "fault" -> { }
        case "violation" -> recorded = line;
        default -> throw new IllegalArgumentException(
            "line " + (i + 1) + ": unknown event '" + f[2] + "'");
      }
    }
    return new Verdict(c.counts, c.first, events, recorded);
  }

  private static long num(Map<String, String> kv, String key, int line) {
    String v = kv.get(key);
    if (v == null) {
      throw new IllegalArgumentException("line " + (line + 1) + ": missing " + key + "=");
    }
    return Long.parseLong(v);
  }

  private void fail(Check check, String message) {
    counts.merge(check, 1, Integer::sum);
    first.putIfAbsent(check, message);
  }

  private void leader(long node, long term, String where) {
    Long prev = leaderOfTerm.putIfAbsent(term, node);
    if (prev != null && prev != node) {
      fail(Check.ONE_LEADER_PER_TERM, "node " + prev + " led term " + term + " before; " + where);
    }
  }

  private void commit(long index, long entry, boolean byApply, String where) {
    Long prev = entryAt.putIfAbsent(index, entry);
    if (prev != null && prev != entry) {
      fail(byApply ? Check.STATE_MACHINE_SAFETY : Check.COMMITTED_NEVER_LOST,
          "entry " + Long.toHexString(prev) + " was committed at index " + index + " before; "
              + where);
    }
    maxCommitted = Math.max(maxCommitted, index);
  }

  private void state(long index, long hash, String where) {
    Long prev = stateAt.putIfAbsent(index, hash);
    if (prev != null && prev != hash) {
      fail(Check.STATE_MACHINE_SAFETY, "another state hash at index " + index + "; " + where);
    }
  }

  private void readIndex(long ctx, long index, String where) {
    Long asked = readAsked.get(ctx);
    if (asked != null && index < asked) {
      fail(Check.READ_INDEX,
          "index " + asked + " was committed when read " + ctx + " was asked; " + where);
    }
  }
}
