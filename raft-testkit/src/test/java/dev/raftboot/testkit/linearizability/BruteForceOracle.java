package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The definition of linearizability, checked as literally as possible for tiny histories: is there a
 * sequence made of every operation with a known outcome and any subset of the operations with an
 * unknown one, such that no operation appears after one that started after it responded, and the
 * sequence is legal for the whole multi-key store? No partitioning by key, no memoization.
 */
final class BruteForceOracle {

    private final List<HistoryEntry> ops = new ArrayList<>();
    private final boolean[] used;
    private final int[] order;
    private final Map<String, String> store;
    private final int required;

    private BruteForceOracle(List<HistoryEntry> history, Map<String, String> initial) {
        for (HistoryEntry e : history) {
            if (!e.result().isFailed()) {
                ops.add(e);
            }
        }
        used = new boolean[ops.size()];
        order = new int[ops.size()];
        store = new HashMap<>(initial);
        required = (int) ops.stream().filter(e -> !e.result().isUnknown()).count();
    }

    static boolean isLinearizable(List<HistoryEntry> history) {
        BruteForceOracle o = new BruteForceOracle(history, Map.of());
        return o.search(0, 0);
    }

    private static long response(HistoryEntry e) {
        return e.result().isUnknown() ? Long.MAX_VALUE : e.responseTime();
    }

    private boolean search(int depth, int requiredPlaced) {
        if (requiredPlaced == required) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i]) {
                continue;
            }
            HistoryEntry e = ops.get(i);
            boolean respectsRealTime = true;
            for (int d = 0; d < depth && respectsRealTime; d++) {
                // e comes after ops[order[d]]: wrong if e responded before that one was invoked
                respectsRealTime = !(response(e) < ops.get(order[d]).invokeTime());
            }
            if (!respectsRealTime) {
                continue;
            }
            String key = e.key();
            String before = store.get(key);
            KvModel.Transition t = KvModel.apply(before, e.operation(), e.result());
            if (!t.legal()) {
                continue;
            }
            set(key, t.nextValue());
            used[i] = true;
            order[depth] = i;
            if (search(depth + 1, requiredPlaced + (e.result().isUnknown() ? 0 : 1))) {
                return true;
            }
            used[i] = false;
            set(key, before);
        }
        return false;
    }

    private void set(String key, String value) {
        if (value == null) {
            store.remove(key);
        } else {
            store.put(key, value);
        }
    }
}
