package dev.raftboot.spring.runtime;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The request ids of the commands applied most recently, per origin node, oldest first: how the
 * apply loop recognises a command that reached the log twice. Raft appends a proposal once per copy
 * that reaches the leader, and a forwarded proposal can arrive twice (a transport that resends a
 * request whose answer it did not get, a network that duplicates). Every node applies the same log
 * and snapshots carry these ids, so every node skips the same entries. Used on the apply thread
 * only.
 */
final class AppliedRequests {

  /**
   * How many applied request ids are remembered per origin node: a copy that reaches the log after
   * this many later commands from the same node would be applied again.
   */
  static final int PER_ORIGIN = 10_000;

  private final Map<Long, LinkedHashSet<Long>> byOrigin = new HashMap<>();

  /** Records the request as applied; false if it was applied before. */
  boolean firstApplication(long origin, long requestId) {
    LinkedHashSet<Long> ids = byOrigin.computeIfAbsent(origin, k -> new LinkedHashSet<>());
    if (!ids.add(requestId)) {
      return false;
    }
    if (ids.size() > PER_ORIGIN) {
      Iterator<Long> oldest = ids.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  /** A copy for a snapshot, in a stable order. */
  Map<Long, List<Long>> copy() {
    Map<Long, List<Long>> copy = new TreeMap<>();
    byOrigin.forEach((origin, ids) -> copy.put(origin, List.copyOf(ids)));
    return copy;
  }

  /** Replaces what is remembered with what a snapshot carried. */
  void restore(Map<Long, List<Long>> fromSnapshot) {
    byOrigin.clear();
    fromSnapshot.forEach((origin, ids) -> byOrigin.put(origin, new LinkedHashSet<>(ids)));
  }
}
