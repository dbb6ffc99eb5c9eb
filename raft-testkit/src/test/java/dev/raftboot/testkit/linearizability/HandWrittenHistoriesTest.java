package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.cas;
import static dev.raftboot.testkit.linearizability.Operation.delete;
import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static dev.raftboot.testkit.linearizability.Result.failed;
import static dev.raftboot.testkit.linearizability.Result.ok;
import static dev.raftboot.testkit.linearizability.Result.okAbsent;
import static dev.raftboot.testkit.linearizability.Result.okValue;
import static dev.raftboot.testkit.linearizability.Result.unknown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HandWrittenHistoriesTest {

    private static void assertAccepted(Script s) {
        CheckResult r = s.check();
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.LINEARIZABLE);
    }

    private static Violation assertRejected(Script s, String key) {
        CheckResult r = s.check();
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(r.violations()).extracting(Violation::key).containsExactly(key);
        return r.violations().get(0);
    }

    @Nested
    class MustReject {

        @Test
        void staleReadAfterCompletedWrite() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(1, put("x", "b"), ok());
            long read = s.run(2, get("x"), okValue("a"));

            Violation v = assertRejected(s, "x");
            assertThat(v.linearizablePrefix()).extracting(HistoryEntry::id).containsExactly(0L, 1L);
            assertThat(v.valueAfterPrefix()).contains("b");
            assertThat(v.unplaced().get(0).entry().id()).isEqualTo(read);
            assertThat(v.unplaced().get(0).reason()).isEqualTo("read \"a\" but the value was \"b\"");
        }

        @Test
        void staleReadOfAbsentAfterCompletedWrite() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, get("x"), okAbsent());
            assertRejected(s, "x");
        }

        @Test
        void lostUpdate() {
            // Two overlapping compare-and-sets both succeed, so both took effect (1 -> 2 -> 3), yet a
            // later read shows the intermediate value: the second update was lost.
            Script s = new Script();
            s.run(1, put("x", "1"), ok());
            long a = s.start(1, cas("x", "1", "2"));
            long b = s.start(2, cas("x", "2", "3"));
            s.end(a, ok(true));
            s.end(b, ok(true));
            s.run(3, get("x"), okValue("2"));
            assertRejected(s, "x");
        }

        @Test
        void lostUpdateWithBlindWrites() {
            // Client 2's write completes after client 1's, strictly; a later read sees client 1's.
            Script s = new Script();
            s.run(1, put("counter", "1"), ok());
            s.run(2, put("counter", "2"), ok());
            s.run(1, get("counter"), okValue("1"));
            assertRejected(s, "counter");
        }

        @Test
        void readOfValueNeverWritten() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, get("x"), okValue("zzz"));
            Violation v = assertRejected(s, "x");
            assertThat(v.unplaced().get(0).reason()).contains("read \"zzz\"");
        }

        @Test
        void readOfValueBeforeItsWriteWasInvoked() {
            Script s = new Script();
            s.run(1, get("x"), okValue("a"));
            s.run(2, put("x", "a"), ok());
            Violation v = assertRejected(s, "x");
            assertThat(v.linearizablePrefix()).isEmpty();
            assertThat(v.unplaced().get(0).reason()).isEqualTo("read \"a\" but the value was absent");
        }

        @Test
        void twoConcurrentCasesBothSucceedingFromTheSameExpectedValue() {
            Script s = new Script();
            s.run(1, put("x", "0"), ok());
            long a = s.start(1, cas("x", "0", "1"));
            long b = s.start(2, cas("x", "0", "2"));
            s.end(b, ok(true));
            s.end(a, ok(true));
            Violation v = assertRejected(s, "x");
            assertThat(v.describe()).contains("swapped from \"0\" but the value was");
        }

        @Test
        void twoConcurrentCreatesFromAbsentBothSucceeding() {
            Script s = new Script();
            long a = s.start(1, cas("lock", null, "owner-1"));
            long b = s.start(2, cas("lock", null, "owner-2"));
            s.end(a, ok(true));
            s.end(b, ok(true));
            assertRejected(s, "lock");
        }

        @Test
        void getSeesNewValueThenAnOlderOne() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            long w = s.start(1, put("x", "b"));
            s.run(2, get("x"), okValue("b"));
            s.run(3, get("x"), okValue("a")); // starts after the first read finished
            s.end(w, ok());
            assertRejected(s, "x");
        }

        @Test
        void deleteObservedOutOfOrder() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(1, delete("x"), ok(true));
            s.run(2, get("x"), okValue("a"));
            assertRejected(s, "x");
        }

        @Test
        void readSeesAbsentThenDeletedValueAgain() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            long d = s.start(1, delete("x"));
            s.run(2, get("x"), okAbsent());
            s.run(3, get("x"), okValue("a"));
            s.end(d, ok());
            assertRejected(s, "x");
        }

        @Test
        void deleteReportingAbsentAfterACompletedWrite() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, delete("x"), ok(false));
            Violation v = assertRejected(s, "x");
            assertThat(v.unplaced().get(0).reason()).isEqualTo("reported that the key was absent but it held \"a\"");
        }

        @Test
        void deleteReportingExistenceOfAKeyNeverWritten() {
            Script s = new Script();
            s.run(1, delete("x"), ok(true));
            assertRejected(s, "x");
        }

        @Test
        void casReportingMismatchAlthoughTheValueMatched() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, cas("x", "a", "b"), ok(false));
            Violation v = assertRejected(s, "x");
            assertThat(v.unplaced().get(0).reason()).contains("reported a mismatch");
        }

        @Test
        void unknownWriteThatAppearsBeforeItWasInvoked() {
            Script s = new Script();
            s.run(1, get("x"), okValue("a"));
            s.run(2, put("x", "a"), unknown());
            assertRejected(s, "x");
        }

        @Test
        void unknownWriteThatAppearsAndThenIsUndone() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, put("x", "b"), unknown());
            s.run(3, get("x"), okValue("b"));
            s.run(3, get("x"), okValue("a"));
            assertRejected(s, "x");
        }

        @Test
        void unknownCasThatCouldNeverHaveMatched() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, cas("x", "zzz", "b"), unknown());
            s.run(3, get("x"), okValue("b"));
            assertRejected(s, "x");
        }

        @Test
        void failedWriteThatAppears() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, put("x", "b"), failed());
            s.run(3, get("x"), okValue("b"));
            Violation v = assertRejected(s, "x");
            assertThat(v.operationCount()).isEqualTo(2); // the failed put is not part of the search
        }

        @Test
        void onlyTheBrokenKeyIsReported() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(1, put("y", "a"), ok());
            s.run(2, get("x"), okValue("a"));
            s.run(2, put("y", "b"), ok());
            s.run(1, get("y"), okValue("a"));
            CheckResult r = s.check();
            assertThat(r.violations()).extracting(Violation::key).containsExactly("y");
            assertThat(r.linearization("x")).isPresent();
            assertThat(r.keyCount()).isEqualTo(2);
        }

        @Test
        void violationAgainstInitialValues() {
            Script s = new Script().with(
                    LinearizabilityChecker.builder().initialValues(Map.of("x", "init")).build());
            s.run(1, get("x"), okAbsent());
            Violation v = assertRejected(s, "x");
            assertThat(v.describe()).contains("initial value \"init\"");
        }
    }

    @Nested
    class MustAccept {

        @Test
        void emptyHistory() {
            assertAccepted(new Script());
        }

        @Test
        void sequentialHistory() {
            Script s = new Script();
            s.run(1, get("x"), okAbsent());
            s.run(1, put("x", "a"), ok());
            s.run(2, get("x"), okValue("a"));
            s.run(2, cas("x", "a", "b"), ok(true));
            s.run(1, cas("x", "a", "c"), ok(false));
            s.run(1, delete("x"), ok(true));
            s.run(2, delete("x"), ok(false));
            s.run(2, delete("x"), ok());
            s.run(1, cas("x", null, "d"), ok(true));
            s.run(1, get("x"), okValue("d"));
            assertAccepted(s);
        }

        @Test
        void readConcurrentWithWriteMaySeeEitherValue() {
            for (String seen : new String[] {"a", "b"}) {
                Script s = new Script();
                s.run(1, put("x", "a"), ok());
                long w = s.start(1, put("x", "b"));
                s.run(2, get("x"), okValue(seen));
                s.end(w, ok());
                assertAccepted(s);
            }
        }

        @Test
        void overlappingReadsMaySeeNewThenOld() {
            // Both reads overlap each other and the write: the one that saw "a" goes first.
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            long w = s.start(1, put("x", "b"));
            long r1 = s.start(2, get("x"));
            long r2 = s.start(3, get("x"));
            s.end(r1, okValue("b"));
            s.end(r2, okValue("a"));
            s.end(w, ok());
            assertAccepted(s);
        }

        @Test
        void writeThatCompletesLateCanTakeEffectEarly() {
            Script s = new Script();
            long w = s.start(1, put("x", "a"));
            s.run(2, get("x"), okValue("a"));
            s.run(3, get("x"), okValue("a"));
            s.end(w, ok());
            assertAccepted(s);
        }

        @Test
        void concurrentWritesThenReadsAgreeOnOneOrder() {
            Script s = new Script();
            long a = s.start(1, put("x", "a"));
            long b = s.start(2, put("x", "b"));
            s.end(a, ok());
            s.end(b, ok());
            s.run(3, get("x"), okValue("a"));
            s.run(3, get("x"), okValue("a"));
            assertAccepted(s);
        }

        @Test
        void concurrentCasesOneWinsOneLoses() {
            Script s = new Script();
            s.run(1, put("x", "0"), ok());
            long a = s.start(1, cas("x", "0", "1"));
            long b = s.start(2, cas("x", "0", "2"));
            s.end(a, ok(false));
            s.end(b, ok(true));
            s.run(3, get("x"), okValue("2"));
            assertAccepted(s);
        }

        @Test
        void casChainAcrossOverlaps() {
            // Completion order differs from the order the swaps must have taken effect in.
            Script s = new Script();
            long a = s.start(1, cas("x", null, "1"));
            long b = s.start(2, cas("x", "1", "2"));
            long c = s.start(3, cas("x", "2", "3"));
            s.end(c, ok(true));
            s.end(b, ok(true));
            s.end(a, ok(true));
            s.run(1, get("x"), okValue("3"));
            assertAccepted(s);
        }

        @Test
        void deleteConcurrentWithReads() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            long d = s.start(1, delete("x"));
            long r1 = s.start(2, get("x"));
            long r2 = s.start(3, get("x"));
            s.end(r2, okValue("a"));
            s.end(r1, okAbsent());
            s.end(d, ok(true));
            s.run(2, get("x"), okAbsent());
            assertAccepted(s);
        }

        @Test
        void unknownWriteThatAppears() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, put("x", "b"), unknown());
            s.run(3, get("x"), okValue("b"));
            CheckResult r = s.check();
            assertThat(r.isLinearizable()).as(r::describe).isTrue();
            assertThat(r.linearization("x").orElseThrow()).extracting(HistoryEntry::id).containsExactly(0L, 1L, 2L);
            assertThat(r.unknownCount()).isEqualTo(1);
        }

        @Test
        void unknownWriteThatNeverAppears() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, put("x", "b"), unknown());
            s.run(3, get("x"), okValue("a"));
            s.run(3, get("x"), okValue("a"));
            CheckResult r = s.check();
            assertThat(r.isLinearizable()).as(r::describe).isTrue();
            assertThat(r.linearization("x").orElseThrow()).extracting(HistoryEntry::id).containsExactly(0L, 2L, 3L);
        }

        @Test
        void unknownWriteThatTakesEffectLongAfterTheClientGaveUp() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, put("x", "b"), unknown());
            s.run(3, get("x"), okValue("a"));
            s.run(1, put("x", "c"), ok());
            s.run(3, get("x"), okValue("c"));
            s.run(3, get("x"), okValue("b")); // the old request finally got applied
            s.run(3, get("x"), okValue("b"));
            assertAccepted(s);
        }

        @Test
        void unknownCasThatTookEffect() {
            Script s = new Script();
            s.run(1, put("x", "0"), ok());
            s.run(2, cas("x", "0", "1"), unknown());
            s.run(3, get("x"), okValue("1"));
            assertAccepted(s);
        }

        @Test
        void unknownDeleteThatTookEffect() {
            Script s = new Script();
            s.run(1, put("x", "0"), ok());
            s.run(2, delete("x"), unknown());
            s.run(3, get("x"), okValue("0"));
            s.run(3, get("x"), okAbsent());
            assertAccepted(s);
        }

        @Test
        void failedWriteThatNeverAppears() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, put("x", "b"), failed());
            s.run(3, get("x"), okValue("a"));
            CheckResult r = s.check();
            assertThat(r.isLinearizable()).as(r::describe).isTrue();
            assertThat(r.failedCount()).isEqualTo(1);
        }

        @Test
        void unknownAndFailedReadsAreIgnored() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.run(2, get("x"), unknown());
            s.run(2, get("x"), failed());
            assertAccepted(s);
        }

        @Test
        void operationNeverCompletedCountsAsUnknown() {
            Script s = new Script();
            s.run(1, put("x", "a"), ok());
            s.start(2, put("x", "b")); // client 2 crashed mid-request
            s.run(3, get("x"), okValue("b"));
            CheckResult r = s.check();
            assertThat(r.isLinearizable()).as(r::describe).isTrue();
            assertThat(r.unknownCount()).isEqualTo(1);
        }

        @Test
        void initialValues() {
            Script s = new Script().with(
                    LinearizabilityChecker.builder().initialValues(Map.of("x", "init")).build());
            s.run(1, get("x"), okValue("init"));
            s.run(1, cas("x", "init", "next"), ok(true));
            s.run(1, get("y"), okAbsent());
            assertAccepted(s);
        }

        @Test
        void independentKeysInterleave() {
            // Per key the history is fine; across keys there is no constraint to break.
            Script s = new Script();
            long wx = s.start(1, put("x", "1"));
            long wy = s.start(2, put("y", "1"));
            s.run(3, get("x"), okValue("1"));
            s.run(3, get("y"), okAbsent());
            s.end(wx, ok());
            s.end(wy, ok());
            s.run(3, get("y"), okValue("1"));
            assertAccepted(s);
        }
    }

    @Test
    void entriesWithEqualTimesOverlap() {
        // Hand-built entries: the write responds at 5 and the read is invoked at 5, so they overlap and
        // the read may come first.
        var entries = java.util.List.of(
                new HistoryEntry(0, 1, put("x", "a"), ok(), 1, 5),
                new HistoryEntry(1, 2, get("x"), okAbsent(), 5, 6));
        assertThat(LinearizabilityChecker.defaults().check(entries).isLinearizable()).isTrue();
        var strictlyAfter = java.util.List.of(
                new HistoryEntry(0, 1, put("x", "a"), ok(), 1, 5),
                new HistoryEntry(1, 2, get("x"), okAbsent(), 6, 7));
        assertThat(LinearizabilityChecker.defaults().check(strictlyAfter).isLinearizable()).isFalse();
    }

    @Test
    void duplicateIdsAreRejected() {
        var entries = java.util.List.of(
                new HistoryEntry(0, 1, put("x", "a"), ok(), 1, 2),
                new HistoryEntry(0, 2, get("x"), okAbsent(), 3, 4));
        assertThatThrownBy(() -> LinearizabilityChecker.defaults().check(entries))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two entries with id 0");
    }

    @Test
    void describeExplainsTheViolation() {
        Script s = new Script();
        s.run(1, put("x", "a"), ok());
        s.run(1, put("x", "b"), ok());
        s.run(2, get("x"), okValue("a"));
        CheckResult r = s.check();
        String text = r.describe();
        assertThat(text)
                .startsWith("NOT linearizable: 1 of 1 keys violate linearizability")
                .contains("key \"x\": not linearizable")
                .contains("longest linearizable prefix: 2 operations")
                .contains("#1 client 1: put(\"x\", \"b\") -> ok")
                .contains("could not be placed next:")
                .contains("#2 client 2: get(\"x\") -> ok(\"a\")")
                .contains("read \"a\" but the value was \"b\"");
        assertThatThrownBy(r::assertLinearizable).isInstanceOf(AssertionError.class).hasMessage(text);
    }
}
