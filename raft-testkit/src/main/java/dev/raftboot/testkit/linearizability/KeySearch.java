package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The linearizability search for the sub-history of a single key.
 *
 * <p>This is the Wing &amp; Gong backtracking search in the form Lowe (2017) describes, with his
 * memoization of configurations. The operations with a known outcome are laid out as one list of
 * call and return events in time order. Walking the list from the front, every call event met before
 * the first return event belongs to an operation that is <em>minimal</em>: no pending operation
 * finished before it started, so it may be linearized next. The search tries to linearize such an
 * operation (apply it to the model); on success the operation's two events are unlinked from the
 * list and the walk restarts at the front. When no candidate works, the last choice is undone
 * (backtracking) and the search moves on to the candidate after it.
 *
 * <p>A configuration is the set of linearized operations together with the model state; the state
 * reached depends only on the choices made, so two paths that reach the same configuration have the
 * same future. Every configuration entered is remembered and never entered twice, which bounds the
 * search by the number of distinct configurations rather than the number of orders.
 *
 * <p>Operations with an unknown outcome have no response, so nothing forces them to be linearized
 * before anything: they may be placed at any point after their invocation, or never. They are kept
 * out of the event list. After the list's candidates, the search tries them: any one invoked no
 * later than the first pending return. Two refinements keep them from multiplying the search
 * space:
 * <ul>
 *   <li>symmetry: unknown-outcome operations with the same effect (say two timed-out
 *       {@code put(k, "v")}) are interchangeable once both are invoked, so only the earliest-invoked
 *       unused one of each such class is ever tried;</li>
 *   <li>dominance: a configuration is not entered if one with the same known-outcome set and value
 *       but a subset of its unknown-outcome operations was (see {@link Memo}).</li>
 * </ul>
 * Trying known-outcome operations first means the cheap configurations (few unknown operations
 * used) tend to be entered first and dominate the others. The search succeeds once every
 * operation with a known outcome is linearized.
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
     * @param maxStates     number of configurations entered after which to give up
     */
    Outcome run(long deadlineNanos, long maxStates) {
        if (requiredCount == 0) {
            return new Outcome(Status.LINEARIZABLE, new int[0], 0, null);
        }

        // ---- The event list: calls and returns of the operations with a known outcome. ----
        // Event e < n is the call of operation e; event n + j is the return of the j-th required one.
        int eventCount = 2 * requiredCount;
        Integer[] events = new Integer[eventCount];
        int[] returnOwner = new int[requiredCount];
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (required[i]) {
                events[2 * j] = i;
                events[2 * j + 1] = n + j;
                returnOwner[j] = i;
                j++;
            }
        }
        // Time order; at equal times calls come first, so operations touching at one instant overlap.
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
        // A doubly linked list over nodes 1..eventCount between the sentinels HEAD = 0 and TAIL.
        final int head = 0;
        final int tail = eventCount + 1;
        int[] next = new int[eventCount + 2];
        int[] prev = new int[eventCount + 2];
        int[] nodeOp = new int[eventCount + 2];
        boolean[] isCall = new boolean[eventCount + 2];
        int[] callNode = new int[n];
        int[] returnNode = new int[n];
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

        // ---- Operations with an unknown outcome, grouped by identical effect. ----
        // Once invoked, such an operation stays available forever, so two of them with the same
        // effect are interchangeable as soon as both have been invoked. The search therefore only
        // ever takes the earliest-invoked unused member of a class: the used members of class c are
        // always its first used[c] members, and a set of them is described by those counts.
        Map<Long, Integer> classIds = new HashMap<>();
        List<List<Integer>> classLists = new ArrayList<>();
        int[] classOf = new int[n];
        int[] unknownIndex = new int[n];
        int unknownCount = 0;
        for (int i = 0; i < n; i++) {
            if (!required[i]) {
                long effect = ((long) kind[i] << 56) ^ ((long) arg1[i] << 28) ^ arg2[i];
                int c = classIds.computeIfAbsent(effect, e -> {
                    classLists.add(new ArrayList<>());
                    return classLists.size() - 1;
                });
                classLists.get(c).add(i); // ops are in invocation order
                classOf[i] = c;
                unknownIndex[i] = unknownCount++;
            }
        }
        int classCount = classLists.size();
        int[][] members = new int[classCount][];
        for (int c = 0; c < classCount; c++) {
            members[c] = classLists.get(c).stream().mapToInt(Integer::intValue).toArray();
        }
        int[] used = new int[classCount];

        // Zobrist hashing of the set of linearized known-outcome operations keeps hashing O(1).
        SplittableRandom random = new SplittableRandom(0x5EEDL ^ n);
        long[] zobrist = new long[n];
        for (int i = 0; i < n; i++) {
            zobrist[i] = random.nextLong();
        }

        long[] requiredBits = new long[(n + 63) >>> 6];
        // One bit per unknown-outcome operation, plus a last bit that is set when the configuration
        // was reached by an unknown-outcome operation (see below).
        long[] unknownBits = unknownCount == 0 ? NO_BITS : new long[(unknownCount + 64) >>> 6];
        final int afterUnknownBit = unknownCount;
        long setHash = 0;
        Memo memo = new Memo();
        int[] stackOp = new int[n];
        int[] stackValue = new int[n];
        int depth = 0;
        int[] best = new int[0];
        int state = initialValue;
        int requiredLeft = requiredCount;
        long iterations = 0;

        // The cursor over the candidates of the current configuration: first the calls in the list
        // before its first return event (phase 1), then one operation per unknown-outcome class
        // invoked no later than that return (phase 2).
        int node = next[head];
        boolean unknownPhase = false;
        int nextClass = 0;
        long horizon = 0;
        while (true) {
            if ((++iterations & 0x3FF) == 0 && System.nanoTime() - deadlineNanos > 0) {
                return new Outcome(Status.BUDGET_EXCEEDED, best, memo.entered,
                        "time budget exhausted after " + memo.entered + " configurations");
            }
            int op = -1;
            if (!unknownPhase) {
                if (isCall[node]) {
                    op = nodeOp[node];
                    node = next[node];
                } else {
                    // node is a return event (never TAIL: while a known-outcome operation is
                    // pending, its return is still in the list)
                    unknownPhase = true;
                    nextClass = 0;
                    horizon = response[nodeOp[node]];
                    continue;
                }
            } else {
                // Within a run of consecutive unknown-outcome operations a blind write (put,
                // delete) only makes sense first: it wipes out whatever the run did before it, so
                // that part could as well be left out.
                boolean afterUnknown = depth > 0 && !required[stackOp[depth - 1]];
                while (nextClass < classCount && op < 0) {
                    int c = nextClass++;
                    if (used[c] < members[c].length && invoke[members[c][used[c]]] <= horizon) {
                        int candidate = members[c][used[c]];
                        if (!(afterUnknown && isBlindWrite(candidate))) {
                            op = candidate;
                        }
                    }
                }
            }

            if (op >= 0) {
                int after = step(op, state);
                if (after == ILLEGAL) {
                    continue;
                }
                long h = setHash;
                boolean wasAfterUnknown = unknownCount > 0 && testBit(unknownBits, afterUnknownBit);
                if (required[op]) {
                    requiredBits[op >>> 6] ^= 1L << op;
                    h ^= zobrist[op];
                } else {
                    flipBit(unknownBits, unknownIndex[op]);
                }
                if (unknownCount > 0) {
                    setBit(unknownBits, afterUnknownBit, !required[op]);
                }
                if (!memo.enter(requiredBits, unknownBits, after, h)) {
                    if (required[op]) {
                        requiredBits[op >>> 6] ^= 1L << op;
                    } else {
                        flipBit(unknownBits, unknownIndex[op]);
                    }
                    if (unknownCount > 0) {
                        setBit(unknownBits, afterUnknownBit, wasAfterUnknown);
                    }
                    continue;
                }
                if (memo.entered > maxStates) {
                    return new Outcome(Status.BUDGET_EXCEEDED, best, memo.entered,
                            "state budget of " + maxStates + " configurations exhausted");
                }
                stackOp[depth] = op;
                stackValue[depth] = state;
                depth++;
                state = after;
                setHash = h;
                if (required[op]) {
                    unlink(next, prev, callNode[op]);
                    unlink(next, prev, returnNode[op]);
                    if (--requiredLeft == 0) {
                        return new Outcome(Status.LINEARIZABLE, Arrays.copyOf(stackOp, depth), memo.entered, null);
                    }
                } else {
                    used[classOf[op]]++;
                }
                unknownPhase = false;
                node = next[head];
                continue;
            }

            // No candidate left: the configuration is a dead end; undo the last choice and move on
            // to the candidate after it.
            if (depth > best.length) {
                best = Arrays.copyOf(stackOp, depth);
            }
            if (depth == 0) {
                return new Outcome(Status.NOT_LINEARIZABLE, best, memo.entered, null);
            }
            depth--;
            op = stackOp[depth];
            state = stackValue[depth];
            if (unknownCount > 0) {
                setBit(unknownBits, afterUnknownBit, depth > 0 && !required[stackOp[depth - 1]]);
            }
            if (required[op]) {
                requiredBits[op >>> 6] ^= 1L << op;
                setHash ^= zobrist[op];
                relink(next, prev, returnNode[op]);
                relink(next, prev, callNode[op]);
                requiredLeft++;
                unknownPhase = false;
                node = next[callNode[op]];
            } else {
                flipBit(unknownBits, unknownIndex[op]);
                used[classOf[op]]--;
                unknownPhase = true;
                nextClass = classOf[op] + 1;
                int first = next[head];
                while (isCall[first]) {
                    first = next[first];
                }
                horizon = response[nodeOp[first]];
            }
        }
    }

    private static final long[] NO_BITS = new long[0];

    private boolean isBlindWrite(int op) {
        return kind[op] == PUT || kind[op] == DELETE_ANY;
    }

    private static boolean testBit(long[] bits, int i) {
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    private static void flipBit(long[] bits, int i) {
        bits[i >>> 6] ^= 1L << i;
    }

    private static void setBit(long[] bits, int i, boolean value) {
        if (value) {
            bits[i >>> 6] |= 1L << i;
        } else {
            bits[i >>> 6] &= ~(1L << i);
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

    /** True if every bit set in {@code a} is set in {@code b}. */
    private static boolean subset(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & ~b[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The configurations entered so far. A configuration is (linearized known-outcome operations,
     * value, linearized unknown-outcome operations). Configuration D is <em>dominated</em> by an
     * entered E with the same known-outcome set and value if E used a subset of D's unknown-outcome
     * operations: whatever D can still do, E can too, since the operations D has left are a subset of
     * E's. Entering D is then pointless, whether E was already refuted or is an ancestor of D still
     * being explored (any success after D is also a shorter success after E, which E's own
     * exploration covers). Without unknown-outcome operations this is plain memoization of (set,
     * value) pairs.
     *
     * <p>The unknown-operation set carries one more member, "reached by an unknown-outcome
     * operation", which forbids starting with a blind write; having it is having fewer options, so
     * the subset test orders these configurations correctly too.
     */
    private static final class Memo {
        /** For each (known set, value): the minimal unknown-operation sets entered with it. */
        private final Map<Configuration, Object> frontier = new HashMap<>();
        long entered;

        boolean enter(long[] requiredBits, long[] unknownBits, int value, long setHash) {
            long hash = mix(setHash ^ (value * 0x9E3779B97F4A7C15L));
            Configuration probe = new Configuration(requiredBits, value, hash);
            Object known = frontier.get(probe);
            long[] mine = unknownBits.length == 0 ? NO_BITS : unknownBits.clone();
            if (known == null) {
                frontier.put(new Configuration(requiredBits.clone(), value, hash), mine);
                entered++;
                return true;
            }
            if (known instanceof long[] single) {
                if (subset(single, unknownBits)) {
                    return false;
                }
                if (subset(unknownBits, single)) {
                    frontier.put(probe, mine); // the key already stored stays; only the value changes
                } else {
                    List<long[]> list = new ArrayList<>(2);
                    list.add(single);
                    list.add(mine);
                    frontier.put(probe, list);
                }
                entered++;
                return true;
            }
            @SuppressWarnings("unchecked")
            List<long[]> list = (List<long[]>) known;
            for (long[] other : list) {
                if (subset(other, unknownBits)) {
                    return false;
                }
            }
            list.removeIf(other -> subset(unknownBits, other));
            list.add(mine);
            entered++;
            return true;
        }
    }

    /** A set of linearized known-outcome operations plus the value of the key. */
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
            for (boolean known : new boolean[] {true, false}) {
                for (int i = 0; i < n; i++) {
                    if (i != blocking && !inPrefix[i] && required[i] == known && invoke[i] <= response[blocking]) {
                        unplaced.add(unplaced(i, value));
                    }
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
