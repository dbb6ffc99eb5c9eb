package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static dev.raftboot.testkit.linearizability.Result.ok;
import static dev.raftboot.testkit.linearizability.Result.okValue;
import static dev.raftboot.testkit.linearizability.Result.unknown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BudgetTest {

    /**
     * Many overlapping writes of distinct values, all acknowledged, then a read of a value none of
     * them wrote. To prove the read impossible the search has to visit every subset of the writes
     * (with every last value), about {@code writers * 2^(writers-1)} configurations.
     */
    private static Script explosive(int writers, String key) {
        Script s = new Script();
        for (int i = 0; i < writers; i++) {
            s.start(i, put(key, "w" + i));
        }
        for (int i = 0; i < writers; i++) {
            s.end(i, ok());
        }
        s.run(writers, get(key), okValue("never"));
        return s;
    }

    @Test
    void timeBudgetTurnsAHopelessSearchIntoUnknown() {
        Script s = explosive(40, "hot").with(LinearizabilityChecker.builder()
                .timeBudget(Duration.ofMillis(300)).maxStatesPerKey(Long.MAX_VALUE).build());

        long start = System.nanoTime();
        CheckResult r = s.check();
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.UNKNOWN);
        assertThat(r.undecided()).extracting(CheckResult.Undecided::key).containsExactly("hot");
        assertThat(r.undecided().get(0).reason()).contains("time budget");
        assertThat(r.describe()).startsWith("unknown (budget exceeded): 1 of 1 keys undecided");
        assertThat(r.isLinearizable()).isFalse();
        assertThat(millis).isLessThan(5_000);
        assertThatThrownBy(r::assertLinearizable).isInstanceOf(AssertionError.class);
    }

    @Test
    void stateBudgetTurnsAHopelessSearchIntoUnknown() {
        Script s = explosive(30, "hot").with(LinearizabilityChecker.builder().maxStatesPerKey(10_000).build());
        CheckResult r = s.check();
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.UNKNOWN);
        assertThat(r.undecided().get(0).reason()).contains("state budget of 10000");
    }

    @Test
    void aSmallExplosiveHistoryIsStillDecided() {
        CheckResult r = explosive(10, "hot").check();
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(r.violations().get(0).unplaced().get(0).entry().operation()).isEqualTo(get("hot"));
    }

    @Test
    void unknownWritesDoNotMultiplyTheSearch() {
        // The same shape with unknown outcomes: each write may be left out, which used to mean
        // 2^40 subsets; dominance (fewer unknown writes used is never worse) reduces it to one
        // configuration per value.
        Script s = new Script().with(LinearizabilityChecker.builder().maxStatesPerKey(10_000).build());
        for (int i = 0; i < 40; i++) {
            s.start(i, put("hot", "w" + i));
        }
        for (int i = 0; i < 40; i++) {
            s.end(i, unknown());
        }
        s.run(40, get("hot"), okValue("never"));
        CheckResult r = s.check();
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(r.statesExplored()).isLessThanOrEqualTo(41);
    }

    @Test
    void manyIdenticalUnknownWritesAreInterchangeable() {
        // 30 timed-out writes of the same two values; reads then alternate between them, which needs
        // one unknown write per switch. Symmetry makes the count, not the choice, matter.
        Script s = new Script().with(LinearizabilityChecker.builder().maxStatesPerKey(100_000).build());
        for (int i = 0; i < 30; i++) {
            s.start(i, put("hot", i % 2 == 0 ? "a" : "b"));
        }
        for (int i = 0; i < 30; i++) {
            s.end(i, unknown());
        }
        for (int round = 0; round < 15; round++) {
            s.run(30, get("hot"), okValue(round % 2 == 0 ? "a" : "b"));
        }
        s.run(30, get("hot"), okValue("a")); // a 16th switch needs an 8th "a": there are 15, fine
        CheckResult r = s.check();
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.LINEARIZABLE);
        assertThat(r.statesExplored()).isLessThan(1_000);
    }

    @Test
    void aViolationElsewhereWinsOverAnUndecidedKey() {
        Script s = explosive(30, "hot").with(LinearizabilityChecker.builder().maxStatesPerKey(10_000).build());
        s.run(100, put("a", "1"), ok());
        s.run(100, get("a"), okValue("2"));
        CheckResult r = s.check();
        assertThat(r.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(r.violations()).extracting(Violation::key).containsExactly("a");
        assertThat(r.undecided()).extracting(CheckResult.Undecided::key).containsExactly("hot");
    }

    @Test
    void keysLeftWhenTimeRanOutAreUndecided() {
        Script s = new Script().with(LinearizabilityChecker.builder().timeBudget(Duration.ZERO).build());
        s.run(1, put("a", "1"), ok());
        s.run(1, put("b", "1"), ok());
        CheckResult r = s.check();
        assertThat(r.verdict()).isEqualTo(CheckResult.Verdict.UNKNOWN);
        assertThat(r.undecided()).extracting(CheckResult.Undecided::key).containsExactly("a", "b");
    }

    @Test
    void budgetsMustBeSensible() {
        assertThatThrownBy(() -> LinearizabilityChecker.builder().maxStatesPerKey(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinearizabilityChecker.builder().timeBudget(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
