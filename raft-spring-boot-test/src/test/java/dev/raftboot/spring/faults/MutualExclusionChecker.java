package dev.raftboot.spring.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Checks a history of lock grants as their holders saw them, in one clock (the test JVM's
 * {@code System.nanoTime()}), against what the cluster applied:
 *
 * <ul>
 *   <li>Mutual exclusion: for each lock, the holders' validity intervals (from the grant's answer
 *       to the last moment the holder found its lease valid) never overlap.
 *   <li>Fencing: ordered by time, a lock's grants have strictly increasing tokens.
 *   <li>No grant lost: every acknowledged grant was applied by some node with the same lock and
 *       owner, and no token was applied for two different grants.
 * </ul>
 *
 * Thread-safe recording; {@link #check} runs once the clients have stopped.
 */
final class MutualExclusionChecker {

  /** One acknowledged grant: who held which lock under which token, and when it relied on it. */
  record Held(String lock, String owner, long token, long fromNanos, long untilNanos, String client) {}

  /** A grant some node applied (from the lock table's listener). */
  record Applied(long node, String lock, String owner, long token) {}

  private final List<Held> held = new CopyOnWriteArrayList<>();
  private final List<Applied> applied = new CopyOnWriteArrayList<>();

  void held(Held h) {
    if (h.untilNanos() < h.fromNanos()) {
      throw new IllegalArgumentException("interval ends before it starts: " + h);
    }
    held.add(h);
  }

  void applied(Applied a) {
    applied.add(a);
  }

  List<Held> history() {
    return List.copyOf(held);
  }

  /** Every violation found, empty if none. */
  List<String> check() {
    List<String> violations = new ArrayList<>();
    Map<String, List<Held>> byLock = new TreeMap<>();
    for (Held h : held) {
      byLock.computeIfAbsent(h.lock(), k -> new ArrayList<>()).add(h);
    }
    byLock.forEach(
        (lock, grants) -> {
          grants.sort(Comparator.comparingLong(Held::fromNanos));
          for (int i = 0; i < grants.size(); i++) {
            for (int j = i + 1; j < grants.size(); j++) {
              Held a = grants.get(i);
              Held b = grants.get(j);
              if (b.fromNanos() <= a.untilNanos()) {
                violations.add(
                    String.format(
                        "lock %s: %s (token %d) relied on it until %.3fs, but %s (token %d) got it at %.3fs",
                        lock, a.client(), a.token(), a.untilNanos() / 1e9, b.client(), b.token(), b.fromNanos() / 1e9));
              } else if (b.token() <= a.token()) {
                violations.add(
                    String.format(
                        "lock %s: token %d of %s follows token %d of %s", lock, b.token(), b.client(), a.token(), a.client()));
              }
            }
          }
        });
    Map<Long, Applied> byToken = new HashMap<>();
    for (Applied a : applied) {
      Applied other = byToken.putIfAbsent(a.token(), a);
      if (other != null && (!other.lock().equals(a.lock()) || !other.owner().equals(a.owner()))) {
        violations.add("token " + a.token() + " applied for two grants: " + other + " and " + a);
      }
    }
    for (Held h : held) {
      Applied a = byToken.get(h.token());
      if (a == null || !a.lock().equals(h.lock()) || !a.owner().equals(h.owner())) {
        violations.add("grant acknowledged to " + h.client() + " was applied by no node: " + h);
      }
    }
    return violations;
  }
}
