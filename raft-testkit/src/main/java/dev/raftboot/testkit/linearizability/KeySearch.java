package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The linearizability search for the sub-history of a single key.
 *
 * <p>This is the Wing &amp; Gong backtracking search in the form Lowe (2017) describes, with his
 * memoization of configurations. The history is laid out as one list of call and return events in
 * time order. Walking the list from the front, every call event met before the first return event
 * belongs to an operation that is <em>minimal</em>: no pending operation finished before it started,
 * so it may be linearized next. The search tries to linearize such an operation (apply it to the
 * model); on success the operation's two events are unlinked from the list and the walk restarts at
 * the front. Meeting a return event means the operation that returns there has not been linearized
 * although everything still in the list before it was tried: the last choice is undone
 * (backtracking) and the walk continues after the undone operation's call.
 *
 * <p>A configuration is the set of linearized operations together with the model state; the state
 * reached depends only on the choices made, so two paths that reach the same configuration have the
 * same future. Every configuration entered is remembered and never entered twice, which bounds the
 * search by the number of distinct configurations rather than the number of orders.
 *
 * <p>Operations with an unknown outcome have a call event but no return event: nothing forces them
 * to be linearized before anything, so they may be placed anywhere after their invocation or never.
 * The search succeeds once every operation with a known outcome is linearized.
 *
 * <p>Values are interned to small integers (0 = absent) so that a step of the model is a couple of
 * integer comparisons.
 */
final class KeySearch {

    static final int ILLEGAL = -1;

    private static final int PUT = 0;
    private static final int GET = 1;
    private static final int DELETE_ANY = 2;
    private static final int DELETE_EXISTED = 3;
    private static final int DELETE_ABSENT = 4;
    private static final int CAS_SWAPPED = 5;
    private static final int CAS_MISMATCH = 6;

    /** What the search found for one key. */
    enum Status { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXCEEDED }

    /**
     * @param order         on success the linearization; on failure the longest linearizable prefix
     *                      met; operations as indexes into {@link KeySearch#entries}
     * @param states        configurations remembered
     * @param budgetMessage which budget ran out, when it did
     */
    record Outcome(Status status, int[] order, long states, String budgetMessage) {
    }

    final String key;
    /** The operations that take part, in invocation order. */
    final HistoryEntry[] entries;
    private final int n;
    private final int[] kind;
    private final int[] arg1;
    private final int[] arg2;
    private final boolean[] required;
    private final long[] invoke;
    private final long[] response;
    private final int initialValue;
    private final int requiredCount;

    /**
     * @param key      the key
     * @param history  that key's entries; failed ones and reads of unknown outcome must already be
     *                 removed
     * @param initial  the key's value before the history ({@code null} = absent)
     */
    KeySearch(String key, List<HistoryEntry> history, String initial) {
        this.key = key;
        this.entries = history.stream()
                .sorted(Comparator.comparingLong(HistoryEntry::invokeTime).thenComparingLong(HistoryEntry::id))
                .toArray(HistoryEntry[]::new);
        this.n = entries.length;
        this.kind = new int[n];
        this.arg1 = new int[n];
        this.arg2 = new int[n];
        this.required = new boolean[n];
        this.invoke = new long[n];
        this.response = new long[n];
        Map<String, Integer> ids = new HashMap<>();
        this.initialValue = intern(ids, initial);
        int req = 0;
        for (int i = 0; i < n; i++) {
            HistoryEntry e = entries[i];
            Result r = e.result();
            if (r.isFailed() || (r.isUnknown() && e.operation() instanceof Operation.Get)) {
                throw new IllegalArgumentException("not a participating operation: " + e);
            }
            required[i] = !r.isUnknown();
            req += required[i] ? 1 : 0;
            invoke[i] = e.invokeTime();
            response[i] = r.isUnknown() ? Long.MAX_VALUE : e.responseTime();
            Operation op = e.operation();
            if (op instanceof Operation.Put p) {
                kind[i] = PUT;
                arg1[i] = intern(ids, p.value());
            } else if (op instanceof Operation.Get) {
                kind[i] = GET;
                arg1[i] = intern(ids, ((Result.OkValue) r).value());
            } else if (op instanceof Operation.Delete) {
                kind[i] = r instanceof Result.OkBoolean b ? (b.value() ? DELETE_EXISTED : DELETE_ABSENT) : DELETE_ANY;
            } else {
                Operation.Cas c = (Operation.Cas) op;
                // An unknown compare-and-set is only worth placing if it swapped: a mismatch has no
                // effect and is the same as leaving the operation out.
                boolean swapped = r.isUnknown() || ((Result.OkBoolean) r).value();
                kind[i] = swapped ? CAS_SWAPPED : CAS_MISMATCH;
                arg1[i] = intern(ids, c.expected());
                arg2[i] = intern(ids, c.newValue());
            }
        }
        this.requiredCount = req;
    }

    private static int intern(Map<String, Integer> ids, String value) {
        if (value == null) {
            return 0;
        }
        return ids.computeIfAbsent(value, v -> ids.size() + 1);
    }

    /** The model: the value after operation {@code op} in state {@code s}, or {@link #ILLEGAL}. */
    private int step(int op, int s) {
        switch (kind[op]) {
            case PUT:
                return arg1[op];
            case GET:
                return s == arg1[op] ? s : ILLEGAL;
            case DELETE_ANY:
                return 0;
            case DELETE_EXISTED:
                return s != 0 ? 0 : ILLEGAL;
            case DELETE_ABSENT:
                return s == 0 ? 0 : ILLEGAL;
            case CAS_SWAPPED:
                return s == arg1[op] ? arg2[op] : ILLEGAL;
            case CAS_MISMATCH:
                return s != arg1[op] ? s : ILLEGAL;
            default:
                throw new IllegalStateException("kind " + kind[op]);
        }
    }

    /**
     * Runs the search.
     *
     * @param deadlineNanos {@link System#nanoTime()} value after which to give up
     * @param maxStates     number of remembered configurations after which to give up
     */
    Outcome run(long deadlineNanos, long maxStates) {
        if (requiredCount == 0) {
            return new Outcome(Status.LINEARIZABLE, new int[0], 0, null);
        }

        // Events in time order; at equal times calls come first, so such operations overlap.
        int eventCount = n + requiredCount;
        Integer[] events = new Integer[eventCount];
        // event e < n: call of op e; event n + j: return of the j-th required op
        int[] returnOwner = new int[requiredCount];
        int j = 0;
        for (int i = 0; i < n; i++) {
            events[i] = i;
            if (required[i]) {
                returnOwner[j] = i;
                events[n + j] = n + j;
                j++;
            }
        }
        Arrays.sort(events, (a, b) -> {
            long ta = a < n ? invoke[a] : response[returnOwner[a - n]];
            long tb = b < n ? invoke[b] : response[returnOwner[b - n]];
            if (ta != tb) {
                return Long.compare(ta, tb);
            }
            boolean ca = a < n;
            boolean cb = b < n;
            if (ca != cb) {
                return ca ? -1 : 1;
            }
            return Integer.compare(a, b);
        });

        // Doubly linked list over nodes 1..eventCount with sentinels HEAD = 0 and TAIL.
        final int head = 0;
        final int tail = eventCount + 1;
        int[] next = new int[eventCount + 2];
        int[] prev = new int[eventCount + 2];
        int[] nodeOp = new int[eventCount + 2];
        boolean[] isCall = new boolean[eventCount + 2];
        int[] callNode = new int[n];
        int[] returnNode = new int[n];
        Arrays.fill(returnNode, -1);
        for (int pos = 0; pos < eventCount; pos++) {
            int node = pos + 1;
            int ev = events[pos];
            if (ev < n) {
                nodeOp[node] = ev;
                isCall[node] = true;
                callNode[ev] = node;
            } else {
                int op = returnOwner[ev - n];
                nodeOp[node] = op;
                returnNode[op] = node;
            }
        }
        for (int node = 0; node <= eventCount; node++) {
            next[node] = node + 1;
            prev[node + 1] = node;
        }

        // Zobrist-style hashing of the linearized set keeps hashing a configuration O(1).
        SplittableRandom random = new SplittableRandom(0x5EEDL ^ n);
        long[] zobrist = new long[n];
        for (int i = 0; i < n; i++) {
            zobrist[i] = random.nextLong();
        }

        long[] bits = new long[(n + 63) >>> 6];
        long setHash = 0;
        Set<Configuration> seen = new HashSet<>();
        int[] stackOp = new int[n];
        int[] stackValue = new int[n];
        int depth = 0;
        int[] best = new int[0];
        int state = initialValue;
        int requiredLeft = requiredCount;
        long iterations = 0;

        int node = next[head];
        while (true) {
            if ((++iterations & 0x3FF) == 0 && System.nanoTime() - deadlineNanos > 0) {
                return new Outcome(Status.BUDGET_EXCEEDED, best, seen.size(),
                        "time budget exhausted after " + seen.size() + " configurations");
            }
            if (node != tail && isCall[node]) {
                int op = nodeOp[node];
                int after = step(op, state);
                if (after != ILLEGAL) {
                    bits[op >>> 6] ^= 1L << op;
                    long h = setHash ^ zobrist[op];
                    long hash = mix(h ^ (after * 0x9E3779B97F4A7C15L));
                    if (!seen.contains(new Configuration(bits, after, hash))) {
                        seen.add(new Configuration(bits.clone(), after, hash));
                        if (seen.size() > maxStates) {
                            return new Outcome(Status.BUDGET_EXCEEDED, best, seen.size(),
                                    "state budget of " + maxStates + " configurations exhausted");
                        }
                        stackOp[depth] = op;
                        stackValue[depth] = state;
                        depth++;
                        state = after;
                        setHash = h;
                        unlink(next, prev, callNode[op]);
                        if (returnNode[op] >= 0) {
                            unlink(next, prev, returnNode[op]);
                        }
                        if (required[op] && --requiredLeft == 0) {
                            return new Outcome(Status.LINEARIZABLE, Arrays.copyOf(stackOp, depth), seen.size(), null);
                        }
                        node = next[head];
                        continue;
                    }
                    bits[op >>> 6] ^= 1L << op;
                }
                node = next[node];
            } else {
                // A return event of an operation not yet linearized (or, defensively, the end of the
                // list): the current partial linearization cannot be extended; undo the last choice.
                if (depth > best.length) {
                    best = Arrays.copyOf(stackOp, depth);
                }
                if (depth == 0) {
                    return new Outcome(Status.NOT_LINEARIZABLE, best, seen.size(), null);
                }
                depth--;
                int op = stackOp[depth];
                state = stackValue[depth];
                bits[op >>> 6] ^= 1L << op;
                setHash ^= zobrist[op];
                if (returnNode[op] >= 0) {
                    relink(next, prev, returnNode[op]);
                }
                relink(next, prev, callNode[op]);
                if (required[op]) {
                    requiredLeft++;
                }
                node = next[callNode[op]];
            }
        }
    }

    private static void unlink(int[] next, int[] prev, int node) {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    /** Undoes {@link #unlink}; valid when undone in the reverse order of unlinking. */
    private static void relink(int[] next, int[] prev, int node) {
        next[prev[node]] = node;
        prev[next[node]] = node;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Set of linearized operations plus the value of the key: the memoized search configuration. */
    private static final class Configuration {
        final long[] bits;
        final int value;
        final int hash;

        Configuration(long[] bits, int value, long hash) {
            this.bits = bits;
            this.value = value;
            this.hash = (int) (hash ^ (hash >>> 32));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Configuration c && c.value == value && Arrays.equals(c.bits, bits);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Builds the human-readable account of why the key's history is not linearizable. */
    Violation explain(int[] prefix, String initial) {
        List<HistoryEntry> placed = new ArrayList<>(prefix.length);
        boolean[] inPrefix = new boolean[n];
        String value = initial;
        for (int op : prefix) {
            inPrefix[op] = true;
            placed.add(entries[op]);
            value = KvModel.apply(value, entries[op].operation(), entries[op].result()).nextValue();
        }
        // The operation that blocks: the one with a known outcome, not placed, that responded first.
        int blocking = -1;
        for (int i = 0; i < n; i++) {
            if (!inPrefix[i] && required[i] && (blocking < 0 || response[i] < response[blocking])) {
                blocking = i;
            }
        }
        List<Violation.Unplaced> unplaced = new ArrayList<>();
        if (blocking >= 0) {
            unplaced.add(unplaced(blocking, value));
            for (int i = 0; i < n; i++) {
                if (i != blocking && !inPrefix[i] && invoke[i] <= response[blocking]) {
                    unplaced.add(unplaced(i, value));
                }
            }
        }
        return new Violation(key, initial, n, placed, value, unplaced);
    }

    private Violation.Unplaced unplaced(int op, String value) {
        HistoryEntry e = entries[op];
        KvModel.Transition t = KvModel.apply(value, e.operation(), e.result());
        String reason = t.legal()
                ? "could take effect here (leaving the value " + Format.valueOrAbsent(t.nextValue())
                        + "), but then no order of the remaining operations works"
                : t.explanation();
        if (!required[op]) {
            reason = "outcome unknown, so it may also never take effect; if it does: " + reason;
        }
        return new Violation.Unplaced(e, reason);
    }

    @Override
    public String toString() {
        return "KeySearch[" + Objects.toString(key) + ", " + n + " operations]";
    }
}
