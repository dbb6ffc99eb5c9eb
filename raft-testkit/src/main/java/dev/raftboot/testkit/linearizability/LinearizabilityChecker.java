package dev.raftboot.testkit.linearizability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides whether a recorded history of a key-value store is linearizable with respect to
 * {@link KvModel}.
 *
 * <p>A history is linearizable if every operation can be given a single instant between its
 * invocation and its response at which it takes effect, such that running the operations one at a
 * time in the order of those instants gives exactly the results the clients saw. Operations with
 * a {@link Result#failed() failed} result are left out; operations with an
 * {@link Result#unknown() unknown} result may be placed at any instant after their invocation, or
 * not at all.
 *
 * <p>How it works:
 * <ol>
 *   <li>The history is split by key. Every operation touches one key and keys are independent, so
 *       the history is linearizable exactly when each key's sub-history is (Herlihy &amp; Wing's
 *       locality; Lowe calls exploiting it P-compositionality). Small searches are much cheaper than
 *       one big one.</li>
 *   <li>Each key is checked by the Wing &amp; Gong backtracking search with Lowe's memoization of
 *       (set of linearized operations, value) configurations; see the documentation of the module
 *       for details.</li>
 * </ol>
 *
 * <p>The search is exponential in the worst case. A {@link Builder#timeBudget time budget} (shared by
 * all keys) and a {@link Builder#maxStatesPerKey per-key limit} on remembered configurations (which is
 * what uses memory) make it return {@link CheckResult.Verdict#UNKNOWN} instead of running away.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class LinearizabilityChecker {

    /** Default {@link Builder#timeBudget}. */
    public static final Duration DEFAULT_TIME_BUDGET = Duration.ofSeconds(60);
    /** Default {@link Builder#maxStatesPerKey}. */
    public static final long DEFAULT_MAX_STATES_PER_KEY = 2_000_000;

    private final Duration timeBudget;
    private final long maxStatesPerKey;
    private final Map<String, String> initialValues;

    private LinearizabilityChecker(Builder b) {
        this.timeBudget = b.timeBudget;
        this.maxStatesPerKey = b.maxStatesPerKey;
        this.initialValues = Map.copyOf(b.initialValues);
    }

    /** A checker with the default budgets and every key initially absent. */
    public static LinearizabilityChecker defaults() {
        return builder().build();
    }

    /** Starts configuring a checker. */
    public static Builder builder() {
        return new Builder();
    }

    /** Checks a recorded history (a snapshot is taken; in-flight operations count as unknown). */
    public CheckResult check(History history) {
        return check(history.entries());
    }

    /**
     * Checks a history given as entries, in any order.
     *
     * @throws IllegalArgumentException if two entries share an id
     */
    public CheckResult check(Collection<HistoryEntry> history) {
        long start = System.nanoTime();
        long deadline = start + saturatedNanos(timeBudget);

        Map<String, List<HistoryEntry>> byKey = new TreeMap<>();
        Map<Long, HistoryEntry> ids = new HashMap<>();
        int failed = 0;
        int unknown = 0;
        for (HistoryEntry e : history) {
            HistoryEntry clash = ids.put(e.id(), e);
            if (clash != null) {
                throw new IllegalArgumentException("two entries with id " + e.id() + ": " + clash + " and " + e);
            }
            List<HistoryEntry> sub = byKey.computeIfAbsent(e.key(), k -> new ArrayList<>());
            if (e.result().isFailed()) {
                failed++;
                continue;
            }
            if (e.result().isUnknown()) {
                unknown++;
                if (e.operation() instanceof Operation.Get) {
                    continue; // a read that may not have happened and whose answer nobody saw
                }
            }
            sub.add(e);
        }

        List<Violation> violations = new ArrayList<>();
        List<CheckResult.Undecided> undecided = new ArrayList<>();
        Map<String, List<HistoryEntry>> witnesses = new HashMap<>();
        long states = 0;
        // Small keys first: if one huge key exhausts the time budget, the others are decided anyway.
        List<Map.Entry<String, List<HistoryEntry>>> parts = new ArrayList<>(byKey.entrySet());
        parts.sort(Comparator.comparingInt((Map.Entry<String, List<HistoryEntry>> e) -> e.getValue().size())
                .thenComparing(Map.Entry::getKey));
        for (Map.Entry<String, List<HistoryEntry>> part : parts) {
            String key = part.getKey();
            String initial = initialValues.get(key);
            if (System.nanoTime() - deadline > 0) {
                undecided.add(new CheckResult.Undecided(key, "time budget of " + timeBudget
                        + " exhausted before this key was checked"));
                continue;
            }
            KeySearch search = new KeySearch(key, part.getValue(), initial);
            KeySearch.Outcome outcome = search.run(deadline, maxStatesPerKey);
            states += outcome.states();
            switch (outcome.status()) {
                case LINEARIZABLE -> {
                    List<HistoryEntry> order = new ArrayList<>(outcome.order().length);
                    for (int op : outcome.order()) {
                        order.add(search.entries[op]);
                    }
                    witnesses.put(key, List.copyOf(order));
                }
                case NOT_LINEARIZABLE -> violations.add(search.explain(outcome.order(), initial));
                case BUDGET_EXCEEDED -> undecided.add(new CheckResult.Undecided(key, outcome.budgetMessage()
                        + " (time budget " + timeBudget + ", state budget " + maxStatesPerKey + " per key)"));
            }
        }
        violations.sort(Comparator.comparing(Violation::key));
        undecided.sort(Comparator.comparing(CheckResult.Undecided::key));
        return new CheckResult(violations, undecided, witnesses, byKey.size(), history.size(), failed, unknown,
                states, Duration.ofNanos(System.nanoTime() - start));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    /** Configuration of a {@link LinearizabilityChecker}. */
    public static final class Builder {
        private Duration timeBudget = DEFAULT_TIME_BUDGET;
        private long maxStatesPerKey = DEFAULT_MAX_STATES_PER_KEY;
        private final Map<String, String> initialValues = new HashMap<>();

        private Builder() {
        }

        /**
         * Wall-clock time the whole check may take; keys not decided by then are reported as
         * undecided and the verdict is {@code UNKNOWN} (unless a violation was found). Keys are
         * checked smallest first, so one huge key cannot starve the others.
         */
        public Builder timeBudget(Duration budget) {
            Objects.requireNonNull(budget, "budget");
            if (budget.isNegative()) {
                throw new IllegalArgumentException("negative time budget " + budget);
            }
            this.timeBudget = budget;
            return this;
        }

        /**
         * How many search configurations may be remembered for one key before giving up on it. Each
         * costs a few dozen bytes plus one bit per operation of the key.
         */
        public Builder maxStatesPerKey(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxStatesPerKey must be positive: " + max);
            }
            this.maxStatesPerKey = max;
            return this;
        }

        /** The values keys hold before the history starts; keys not mentioned start absent. */
        public Builder initialValues(Map<String, String> values) {
            values.forEach((k, v) -> {
                Objects.requireNonNull(k, "key");
                Objects.requireNonNull(v, "value of " + k);
            });
            this.initialValues.putAll(values);
            return this;
        }

        /** Builds the checker. */
        public LinearizabilityChecker build() {
            return new LinearizabilityChecker(this);
        }
    }
}
