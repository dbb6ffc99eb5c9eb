package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.cas;
import static dev.raftboot.testkit.linearizability.Operation.delete;
import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static dev.raftboot.testkit.linearizability.Result.ok;
import static dev.raftboot.testkit.linearizability.Result.okAbsent;
import static dev.raftboot.testkit.linearizability.Result.okValue;
import static dev.raftboot.testkit.linearizability.Result.unknown;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Small linearizable histories, found by comparing against {@link BruteForceOracle}, that a search
 * with a wrong pruning rule for unknown-outcome operations rejects (for example one that treats a
 * configuration with <em>more</em> unknown operations used as covering one with fewer). Each is
 * checked against the oracle too, so the expectation does not rest on hand reasoning.
 */
class UnknownOutcomeRegressionTest {

    private static final long NEVER = Long.MAX_VALUE;

    private final List<HistoryEntry> history = new ArrayList<>();

    private void op(Operation op, Result result, long invoke, long response) {
        history.add(new HistoryEntry(history.size(), history.size(), op, result, invoke, response));
    }

    private void assertLinearizable() {
        assertThat(BruteForceOracle.isLinearizable(history)).isTrue();
        CheckResult r = LinearizabilityChecker.defaults().check(history);
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.LINEARIZABLE);
        Witnesses.assertValid(history, r);
    }

    @Test
    void casChainThroughUnknownCreateThenDeleteByUnknown() {
        // cas(absent->v0)?, cas(v0->v1), cas(v1->v2), delete?, get = absent
        op(delete("k"), unknown(), 2, NEVER);
        op(get("k"), okAbsent(), 7, 9);
        op(put("k", "v0"), unknown(), 7, NEVER);
        op(cas("k", null, "v0"), unknown(), 5, NEVER);
        op(cas("k", "v0", "v1"), ok(true), 5, 5);
        op(cas("k", "v1", "v2"), ok(true), 8, 9);
        assertLinearizable();
    }

    @Test
    void twoDeletesThatFoundTheKeyNeedTheUnknownWrite() {
        // put v1, delete(true), delete, put v2?, delete(true)
        op(put("k", "v2"), unknown(), 2, NEVER);
        op(delete("k"), ok(true), 9, 11);
        op(delete("k"), ok(true), 7, 11);
        op(put("k", "v1"), ok(), 0, 4);
        op(delete("k"), ok(), 3, 7);
        assertLinearizable();
    }

    @Test
    void unknownDeleteEarlyAndUnknownPutLate() {
        op(cas("k", "v2", "v0"), ok(true), 3, 4);
        op(delete("k"), ok(), 4, 4);
        op(cas("k", null, "v2"), ok(true), 7, 7);
        op(get("k"), okAbsent(), 9, 9);
        op(put("k", "v2"), ok(), 1, 5);
        op(put("k", "v0"), unknown(), 7, NEVER);
        op(get("k"), okAbsent(), 1, 3);
        op(delete("k"), unknown(), 2, NEVER);
        assertLinearizable();
    }

    @Test
    void readOfAnUnknownCreateBetweenDeletes() {
        op(cas("k", null, "v1"), unknown(), 6, NEVER);
        op(delete("k"), ok(), 2, 5);
        op(put("k", "v2"), unknown(), 9, NEVER);
        op(get("k"), okAbsent(), 2, 2);
        op(get("k"), okValue("v1"), 5, 6);
        op(get("k"), okAbsent(), 7, 11);
        op(delete("k"), unknown(), 5, NEVER);
        assertLinearizable();
    }
}
