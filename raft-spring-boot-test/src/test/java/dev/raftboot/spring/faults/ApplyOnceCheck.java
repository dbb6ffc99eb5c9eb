package dev.raftboot.spring.faults;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks, from what each node's state machine applied, that every write of a run took effect at
 * most once and that the clients' definite outcomes were true: on every node, no write id appears
 * twice in the applied list, every write whose client heard it was applied ({@link
 * Outcome#APPLIED}) is there, and no write whose client heard "not applied" ({@link
 * Outcome#NOT_APPLIED}) is. Writes that stayed {@link Outcome#UNKNOWN} may be there once or not at
 * all. It also checks that all nodes applied the same writes in the same order.
 */
final class ApplyOnceCheck {

  /** What the client finally heard about a write, after its retries. */
  enum Outcome {
    APPLIED,
    NOT_APPLIED,
    UNKNOWN
  }

  private ApplyOnceCheck() {}

  /**
   * The problems found, one line each; empty when the check passes.
   *
   * @param outcomes each write id the clients issued, with its final outcome
   * @param appliedByNode each node's applied write ids in log order
   */
  static List<String> problems(Map<String, Outcome> outcomes, Map<Long, List<String>> appliedByNode) {
    List<String> out = new ArrayList<>();
    List<String> first = null;
    long firstNode = 0;
    for (Map.Entry<Long, List<String>> node : appliedByNode.entrySet()) {
      long id = node.getKey();
      List<String> applied = node.getValue();
      Set<String> seen = new HashSet<>();
      for (String write : applied) {
        if (!seen.add(write)) {
          out.add("node " + id + ": write " + write + " applied more than once");
        }
        if (!outcomes.containsKey(write)) {
          out.add("node " + id + ": write " + write + " applied but never issued");
        }
      }
      outcomes.forEach(
          (write, outcome) -> {
            if (outcome == Outcome.APPLIED && !seen.contains(write)) {
              out.add("node " + id + ": acknowledged write " + write + " not applied");
            } else if (outcome == Outcome.NOT_APPLIED && seen.contains(write)) {
              out.add("node " + id + ": write " + write + " applied although its client heard not applied");
            }
          });
      if (first == null) {
        first = applied;
        firstNode = id;
      } else if (!first.equals(applied)) {
        out.add("nodes " + firstNode + " and " + id + " applied different writes or orders ("
            + first.size() + " and " + applied.size() + " writes)");
      }
    }
    return out;
  }
}
