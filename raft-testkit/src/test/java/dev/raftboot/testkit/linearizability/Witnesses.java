package dev.raftboot.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Independent validation of the linearizations a checker returns. */
final class Witnesses {

    private Witnesses() {
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
            for (int i = 0; i < order.size(); i++) {
                HistoryEntry e = order.get(i);
                assertThat(e.key()).isEqualTo(key);
                assertThat(e.result().isFailed()).as("failed op placed: %s", e).isFalse();
                assertThat(placed.add(e.id())).as("placed twice: %s", e).isTrue();
                for (int j = 0; j < i; j++) {
                    HistoryEntry earlier = order.get(j);
                    boolean mustBeAfter = !e.result().isUnknown() && e.responseTime() < earlier.invokeTime();
                    assertThat(mustBeAfter).as("%s placed after %s", e, earlier).isFalse();
                }
                KvModel.Transition t = KvModel.apply(value, e.operation(), e.result());
                assertThat(t.legal()).as("%s in state %s: %s", e, value, t.explanation()).isTrue();
                value = t.nextValue();
            }
            for (HistoryEntry e : entries) {
                if (e.result().isOk()) {
                    assertThat(placed).as("known-outcome op missing: %s", e).contains(e.id());
                }
            }
        });
    }
}
