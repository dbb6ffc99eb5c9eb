package dev.raftboot.testkit.linearizability;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of {@link LinearizabilityChecker#check}.
 *
 * <p>The {@link #verdict()} is:
 * <ul>
 *   <li>{@link Verdict#NOT_LINEARIZABLE} if the history of at least one key is not linearizable
 *       ({@link #violations()} explains each such key) &mdash; even if other keys ran out of budget;</li>
 *   <li>{@link Verdict#UNKNOWN} if no violation was found but the budget ran out before every key
 *       was decided ({@link #undecided()} lists those keys);</li>
 *   <li>{@link Verdict#LINEARIZABLE} otherwise.</li>
 * </ul>
 * In a test, {@link #assertLinearizable()} fails with {@link #describe()} as the message.
 */
public final class CheckResult {

    /** The overall answer. */
    public enum Verdict {
        /** Every key's history is linearizable, hence the whole history is. */
        LINEARIZABLE,
        /** At least one key's history is not linearizable. */
        NOT_LINEARIZABLE,
        /** No violation found, but the budget ran out before all keys were decided. */
        UNKNOWN
    }

    /**
     * A key the checker gave up on.
     *
     * @param key    the key
     * @param reason which budget ran out
     */
    public record Undecided(String key, String reason) {
        @Override
        public String toString() {
            return "key " + Format.quote(key) + ": " + reason;
        }
    }

    private static final int SHOWN_VIOLATIONS = 5;

    private final List<Violation> violations;
    private final List<Undecided> undecided;
    private final Map<String, List<HistoryEntry>> linearizations;
    private final int keys;
    private final int operations;
    private final int failedDropped;
    private final int unknownOutcomes;
    private final long states;
    private final Duration elapsed;

    CheckResult(List<Violation> violations, List<Undecided> undecided,
            Map<String, List<HistoryEntry>> linearizations, int keys, int operations, int failedDropped,
            int unknownOutcomes, long states, Duration elapsed) {
        this.violations = List.copyOf(violations);
        this.undecided = List.copyOf(undecided);
        this.linearizations = Map.copyOf(linearizations);
        this.keys = keys;
        this.operations = operations;
        this.failedDropped = failedDropped;
        this.unknownOutcomes = unknownOutcomes;
        this.states = states;
        this.elapsed = elapsed;
    }

    /** The overall answer. */
    public Verdict verdict() {
        if (!violations.isEmpty()) {
            return Verdict.NOT_LINEARIZABLE;
        }
        return undecided.isEmpty() ? Verdict.LINEARIZABLE : Verdict.UNKNOWN;
    }

    /** Whether the history was shown to be linearizable. */
    public boolean isLinearizable() {
        return verdict() == Verdict.LINEARIZABLE;
    }

    /** One explanation per key whose history is not linearizable, in key order. */
    public List<Violation> violations() {
        return violations;
    }

    /** The keys that were not decided because the budget ran out. */
    public List<Undecided> undecided() {
        return undecided;
    }

    /**
     * A witness for a key shown linearizable: an order of its operations that respects real time
     * and the model. Operations with an unknown outcome appear only if this order needed them to
     * take effect; failed operations never appear.
     */
    public Optional<List<HistoryEntry>> linearization(String key) {
        return Optional.ofNullable(linearizations.get(key));
    }

    /** Number of distinct keys in the history. */
    public int keyCount() {
        return keys;
    }

    /** Number of entries in the history, including failed ones. */
    public int operationCount() {
        return operations;
    }

    /** Entries with a {@link Result#failed() failed} result, which were left out. */
    public int failedCount() {
        return failedDropped;
    }

    /** Entries with an {@link Result#unknown() unknown} result (or never completed). */
    public int unknownCount() {
        return unknownOutcomes;
    }

    /** Search configurations remembered, over all keys: a measure of the work done. */
    public long statesExplored() {
        return states;
    }

    /** Time the check took. */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * Throws an {@link AssertionError} carrying {@link #describe()} unless the verdict is
     * {@link Verdict#LINEARIZABLE}.
     */
    public void assertLinearizable() {
        if (!isLinearizable()) {
            throw new AssertionError(describe());
        }
    }

    /** A summary line followed, when relevant, by the explanation of each violation. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        switch (verdict()) {
            case LINEARIZABLE -> b.append("linearizable");
            case NOT_LINEARIZABLE -> b.append("NOT linearizable: ").append(violations.size()).append(" of ")
                    .append(keys).append(" keys violate linearizability");
            case UNKNOWN -> b.append("unknown (budget exceeded): ").append(undecided.size()).append(" of ")
                    .append(keys).append(" keys undecided");
        }
        b.append(" [").append(operations).append(" operations over ").append(keys).append(" keys, ")
                .append(failedDropped).append(" failed, ").append(unknownOutcomes).append(" unknown; ")
                .append(states).append(" configurations explored in ").append(elapsed.toMillis()).append(" ms]\n");
        int shown = Math.min(violations.size(), SHOWN_VIOLATIONS);
        for (Violation v : violations.subList(0, shown)) {
            b.append(v.describe());
        }
        if (violations.size() > shown) {
            b.append("... and ").append(violations.size() - shown).append(" more keys with violations\n");
        }
        for (Undecided u : undecided) {
            b.append("undecided: ").append(u).append('\n');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
