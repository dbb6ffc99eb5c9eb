package dev.raftboot.testkit.linearizability;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Independent validation of the linearizations a checker returns. */
final class Witnesses {

    private Witnesses() {
    }

    private static void check(boolean condition, java.util.function.Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }

    /**
     * Asserts that for every key, {@link CheckResult#linearization} holds all the key's operations
     * with a known outcome, no failed ones, respects real time and is legal for the model.
     */
    static void assertValid(List<HistoryEntry> history, CheckResult result) {
        Map<String, List<HistoryEntry>> byKey = history.stream().collect(Collectors.groupingBy(HistoryEntry::key));
        byKey.forEach((key, entries) -> {
            List<HistoryEntry> order = result.linearization(key).orElseThrow(
                    () -> new AssertionError("no linearization for key " + key));
            Set<Long> placed = new HashSet<>();
            String value = null;
            long latestForcedInvoke = Long.MIN_VALUE; // max invocation time among ops placed so far
            HistoryEntry latest = null;
            for (HistoryEntry e : order) {
                check(e.key().equals(key), () -> "wrong key: " + e);
                check(!e.result().isFailed(), () -> "failed op placed: " + e);
                check(placed.add(e.id()), () -> "placed twice: " + e);
                // e may come after every op placed before it unless e responded before one of them
                // was invoked; comparing with the latest invocation so far covers them all.
                HistoryEntry before = latest;
                check(e.result().isUnknown() || e.responseTime() >= latestForcedInvoke,
                        () -> e + " placed after " + before + ", which was invoked after it responded");
                if (e.invokeTime() > latestForcedInvoke) {
                    latestForcedInvoke = e.invokeTime();
                    latest = e;
                }
                String current = value;
                KvModel.Transition t = KvModel.apply(value, e.operation(), e.result());
                check(t.legal(), () -> e + " in state " + current + ": " + t.explanation());
                value = t.nextValue();
            }
            for (HistoryEntry e : entries) {
                check(!e.result().isOk() || placed.contains(e.id()), () -> "known-outcome op missing: " + e);
            }
        });
    }
}
