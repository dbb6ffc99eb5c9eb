package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A negative control for a recorded history: rewrites it as if the store had lost an acknowledged
 * write, so that a test can show its checker rejects what a store that acknowledges before its
 * write is durable would produce after a crash.
 *
 * <p>It looks for an acknowledged write {@code W} of a value {@code v}, read by a later read, and an
 * acknowledged write {@code W'} of {@code v'} to the same key that completed before {@code W} was
 * invoked. Every read of {@code v} invoked after {@code W} completed is rewritten to return
 * {@code v'}: the store rolled back to before {@code W}. When no other operation writes {@code v} or
 * {@code v'} (checked), the result is certainly not linearizable, whatever the unknown operations
 * did: those reads follow {@code W}, which follows {@code W'}, so none of them can see {@code v'}.
 * The latest such {@code W} is chosen, so that the final reads of a run are the ones rewritten.
 */
public final class LostWrite {

    /**
     * A rewritten history.
     *
     * @param entries     the history with the write lost
     * @param description which write was lost and how many reads were rewritten
     */
    public record Injected(List<HistoryEntry> entries, String description) {
        /** Copies the list. */
        public Injected {
            entries = List.copyOf(entries);
        }
    }

    private LostWrite() {
    }

    /** The history with one acknowledged write lost, or empty if it has no write to lose that way. */
    public static Optional<Injected> inject(List<HistoryEntry> history) {
        Map<String, Integer> writers = new HashMap<>();
        for (HistoryEntry e : history) {
            String v = writtenValue(e.operation());
            if (v != null) {
                writers.merge(e.key() + '\u0000' + v, 1, Integer::sum);
            }
        }
        Map<String, List<HistoryEntry>> byKey = new HashMap<>();
        history.forEach(e -> byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e));
        HistoryEntry lost = null;
        HistoryEntry before = null;
        for (List<HistoryEntry> ops : byKey.values()) {
            for (HistoryEntry w : ops) {
                if (!uniqueAcknowledgedWrite(w, writers) || !readAfter(ops, w)
                        || lost != null && w.responseTime() < lost.responseTime()) {
                    continue;
                }
                HistoryEntry earlier = null;
                for (HistoryEntry p : ops) {
                    if (uniqueAcknowledgedWrite(p, writers) && p.responseTime() < w.invokeTime()
                            && (earlier == null || p.responseTime() > earlier.responseTime())) {
                        earlier = p;
                    }
                }
                if (earlier != null) {
                    lost = w;
                    before = earlier;
                }
            }
        }
        if (lost == null) {
            return Optional.empty();
        }
        String v = writtenValue(lost.operation());
        Result rolledBack = Result.okValue(writtenValue(before.operation()));
        List<HistoryEntry> out = new ArrayList<>(history.size());
        int rewritten = 0;
        for (HistoryEntry e : history) {
            if (readOf(e, lost.key(), v) && e.invokeTime() > lost.responseTime()) {
                out.add(e.withResult(rolledBack));
                rewritten++;
            } else {
                out.add(e);
            }
        }
        return Optional.of(new Injected(out, "lost " + lost + "; " + rewritten + " later reads of it return "
                + rolledBack + " written by " + before));
    }

    private static boolean readAfter(List<HistoryEntry> ops, HistoryEntry w) {
        String v = writtenValue(w.operation());
        return ops.stream().anyMatch(e -> readOf(e, w.key(), v) && e.invokeTime() > w.responseTime());
    }

    private static boolean readOf(HistoryEntry e, String key, String value) {
        return e.operation() instanceof Operation.Get && e.key().equals(key)
                && e.result() instanceof Result.OkValue r && value.equals(r.value());
    }

    /** An acknowledged put or swap whose value no other operation of the history writes to its key. */
    private static boolean uniqueAcknowledgedWrite(HistoryEntry e, Map<String, Integer> writers) {
        boolean acknowledged = e.operation() instanceof Operation.Put && e.result().isOk()
                || e.operation() instanceof Operation.Cas && e.result().equals(Result.ok(true));
        return acknowledged && writers.get(e.key() + '\u0000' + writtenValue(e.operation())) == 1;
    }

    private static String writtenValue(Operation op) {
        if (op instanceof Operation.Put p) {
            return p.value();
        }
        return op instanceof Operation.Cas c ? c.newValue() : null;
    }
}
