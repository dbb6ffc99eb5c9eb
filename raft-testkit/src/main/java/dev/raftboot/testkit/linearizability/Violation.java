package dev.raftboot.testkit.linearizability;

import java.util.List;
import java.util.Optional;

/**
 * Why the history of one key is not linearizable.
 *
 * <p>The search keeps the longest sequence of operations it managed to linearize. After that
 * prefix, some operation with a known outcome had to come next (its response precedes the
 * invocation of everything not yet placed, or at least nothing else must precede it), yet no
 * candidate could be placed so that the rest works out. {@link #unplaced()} lists that operation
 * first, followed by the other operations that could have come next, each with the reason it does
 * not fit.
 *
 * <p>The prefix is one witness among possibly many; the violation itself does not depend on it.
 */
public final class Violation {

    /**
     * An operation that could not be placed after the prefix.
     *
     * @param entry  the operation
     * @param reason why it does not fit there
     */
    public record Unplaced(HistoryEntry entry, String reason) {
        @Override
        public String toString() {
            return entry + ": " + reason;
        }
    }

    private static final int SHOWN_PREFIX = 20;
    private static final int SHOWN_UNPLACED = 12;

    private final String key;
    private final String initialValue;
    private final int operationCount;
    private final List<HistoryEntry> prefix;
    private final String valueAfterPrefix;
    private final List<Unplaced> unplaced;

    Violation(String key, String initialValue, int operationCount, List<HistoryEntry> prefix,
            String valueAfterPrefix, List<Unplaced> unplaced) {
        this.key = key;
        this.initialValue = initialValue;
        this.operationCount = operationCount;
        this.prefix = List.copyOf(prefix);
        this.valueAfterPrefix = valueAfterPrefix;
        this.unplaced = List.copyOf(unplaced);
    }

    /** The key whose history is not linearizable. */
    public String key() {
        return key;
    }

    /** How many operations of the key took part in the check (failed ones and unknown reads excluded). */
    public int operationCount() {
        return operationCount;
    }

    /** The longest sequence of the key's operations the search could linearize, in order. */
    public List<HistoryEntry> linearizablePrefix() {
        return prefix;
    }

    /** The key's value after {@link #linearizablePrefix()}; empty if absent. */
    public Optional<String> valueAfterPrefix() {
        return Optional.ofNullable(valueAfterPrefix);
    }

    /**
     * The operations that could not be placed after the prefix: first the one that had to come
     * next (the earliest response among operations not placed), then the others that could have
     * come next. Each carries a reason.
     */
    public List<Unplaced> unplaced() {
        return unplaced;
    }

    /** A multi-line explanation fit for a test failure message. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append("key ").append(Format.quote(key)).append(": not linearizable (").append(operationCount)
                .append(" operations; initial value ").append(Format.valueOrAbsent(initialValue)).append(")\n");
        b.append("  longest linearizable prefix: ").append(prefix.size()).append(" operation")
                .append(prefix.size() == 1 ? "" : "s");
        if (prefix.isEmpty()) {
            b.append('\n');
        } else {
            b.append(", in this order:\n");
            int skip = Math.max(0, prefix.size() - SHOWN_PREFIX);
            if (skip > 0) {
                b.append("    ... ").append(skip).append(" earlier operations\n");
            }
            for (HistoryEntry e : prefix.subList(skip, prefix.size())) {
                b.append("    ").append(e).append('\n');
            }
        }
        b.append("  value after the prefix: ").append(Format.valueOrAbsent(valueAfterPrefix)).append('\n');
        if (!unplaced.isEmpty()) {
            b.append("  could not be placed next:\n");
            b.append("    ").append(unplaced.get(0)).append('\n');
            int shown = Math.min(unplaced.size(), SHOWN_UNPLACED);
            if (shown > 1) {
                b.append("  other operations that could have come next:\n");
                for (Unplaced u : unplaced.subList(1, shown)) {
                    b.append("    ").append(u).append('\n');
                }
            }
            if (unplaced.size() > shown) {
                b.append("    ... and ").append(unplaced.size() - shown).append(" more\n");
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
