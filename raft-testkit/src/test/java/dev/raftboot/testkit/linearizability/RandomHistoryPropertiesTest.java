package dev.raftboot.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomHistoryPropertiesTest {

    private static final LinearizabilityChecker CHECKER = LinearizabilityChecker.defaults();

    /** Runs {@code check} once per seed in {@code [0, tries)}; a failure names its seed. */
    private static void forSeeds(int tries, java.util.function.Consumer<SplittableRandom> check) {
        for (int seed = 0; seed < tries; seed++) {
            try {
                check.accept(new SplittableRandom(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed, e);
            }
        }
    }

    /** A value in {@code [min, max]}. */
    private static int between(SplittableRandom r, int min, int max) {
        return r.nextInt(min, max + 1);
    }

    @Test
    void historiesOfASequentialModelWithRandomOverlapsAreAccepted() {
        forSeeds(300, r -> historiesOfASequentialModelWithRandomOverlapsAreAccepted(
                r.nextLong(), between(r, 1, 8), between(r, 1, 5), between(r, 1, 4), between(r, 0, 300),
                r.nextBoolean()));
    }

    @Test
    void aReadOfAValueNeverWrittenIsRejected() {
        forSeeds(300, r -> aReadOfAValueNeverWrittenIsRejected(
                r.nextLong(), between(r, 1, 6), between(r, 1, 5), between(r, 1, 4), between(r, 1, 200),
                r.nextBoolean()));
    }

    @Test
    void agreesWithBruteForceOnSmallHistories() {
        forSeeds(1500, r -> agreesWithBruteForceOnSmallHistories(
                r.nextLong(), r.nextBoolean(), between(r, 0, 7), between(r, 0, 2)));
    }

    @Test
    void agreesWithBruteForceWhenManyOutcomesAreUnknown() {
        forSeeds(3000, r -> agreesWithBruteForceWhenManyOutcomesAreUnknown(r.nextLong(), between(r, 1, 7)));
    }

    private static void historiesOfASequentialModelWithRandomOverlapsAreAccepted(
            long seed,
            int clients,
            int keys,
            int values,
            int operations,
            boolean faults) {
        SimulatedClients.Config config = SimulatedClients.Config.of(clients, keys, values, operations);
        if (faults) {
            config = config.withFaults(0.05, 0.05);
        }
        List<HistoryEntry> history = SimulatedClients.run(new Random(seed), config).entries();

        CheckResult result = CHECKER.check(history);

        assertThat(result.verdict()).as(result::describe).isEqualTo(CheckResult.Verdict.LINEARIZABLE);
        Witnesses.assertValid(history, result);
    }

    /**
     * Proving a history wrong means exhausting every configuration up to the broken read, so the
     * cost grows with the number of overlapping operations on the key; sizes stay a bit smaller here.
     */
    private static void aReadOfAValueNeverWrittenIsRejected(
            long seed,
            int clients,
            int keys,
            int values,
            int operations,
            boolean faults) {
        SimulatedClients.Config config = SimulatedClients.Config.of(clients, keys, values, operations);
        if (faults) {
            config = config.withFaults(0.05, 0.05);
        }
        Random rnd = new Random(seed);
        List<HistoryEntry> history = new ArrayList<>(SimulatedClients.run(rnd, config).entries());
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).result() instanceof Result.OkValue) {
                reads.add(i);
            }
        }
        if (reads.isEmpty()) {
            return; // nothing to corrupt in this history
        }
        int victim = reads.get(rnd.nextInt(reads.size()));
        HistoryEntry mutated = history.get(victim).withResult(Result.okValue("never-written"));
        history.set(victim, mutated);

        CheckResult result = CHECKER.check(history);

        assertThat(result.verdict()).as(result::describe).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(result.violations()).extracting(Violation::key).containsExactly(mutated.key());
        Violation v = result.violations().get(0);
        assertThat(v.linearizablePrefix()).doesNotContain(mutated);
    }

    /**
     * Small histories, some linearizable and some not, judged against the literal definition.
     * Half come from the simulator with a few results replaced at random, half are entirely random
     * (including equal timestamps).
     */
    private static void agreesWithBruteForceOnSmallHistories(
            long seed,
            boolean simulated,
            int operations,
            int corruptions) {
        Random rnd = new Random(seed);
        List<HistoryEntry> history = simulated
                ? corrupt(rnd, SimulatedClients.run(rnd, SimulatedClients.Config.of(3, 2, 2, operations)
                        .withFaults(0.1, 0.15)).entries(), corruptions)
                : randomHistory(rnd, operations);

        boolean expected = BruteForceOracle.isLinearizable(history);
        CheckResult result = CHECKER.check(history);
        assertThat(result.verdict())
                .as(() -> "history " + history + "\n" + result.describe())
                .isEqualTo(expected ? CheckResult.Verdict.LINEARIZABLE : CheckResult.Verdict.NOT_LINEARIZABLE);
        if (expected) {
            Witnesses.assertValid(history, result);
        }
    }

    /**
     * One key, few values, half of the writes with an unknown outcome: the part of the search that
     * handles unknown outcomes (symmetry between identical writes, dominance between sets of them)
     * is where a subtle mistake would hide.
     */
    private static void agreesWithBruteForceWhenManyOutcomesAreUnknown(
            long seed, int operations) {
        Random rnd = new Random(seed);
        List<HistoryEntry> history = new ArrayList<>();
        for (int i = 0; i < operations; i++) {
            String value = "v" + rnd.nextInt(3);
            Operation op = switch (rnd.nextInt(4)) {
                case 0 -> Operation.get("k");
                case 1 -> Operation.put("k", value);
                case 2 -> Operation.cas("k", rnd.nextInt(4) == 0 ? null : "v" + rnd.nextInt(3), value);
                default -> Operation.delete("k");
            };
            Result result = !(op instanceof Operation.Get) && rnd.nextBoolean()
                    ? Result.unknown() : randomOkResult(rnd, op);
            long invoke = rnd.nextInt(10);
            history.add(new HistoryEntry(i, i, op, result, invoke, invoke + rnd.nextInt(5)));
        }

        boolean expected = BruteForceOracle.isLinearizable(history);
        CheckResult result = CHECKER.check(history);
        assertThat(result.verdict())
                .as(() -> "history " + history + "\n" + result.describe())
                .isEqualTo(expected ? CheckResult.Verdict.LINEARIZABLE : CheckResult.Verdict.NOT_LINEARIZABLE);
        if (expected) {
            Witnesses.assertValid(history, result);
        }
    }

    private static List<HistoryEntry> corrupt(Random rnd, List<HistoryEntry> history, int corruptions) {
        List<HistoryEntry> out = new ArrayList<>(history);
        for (int c = 0; c < corruptions && !out.isEmpty(); c++) {
            int i = rnd.nextInt(out.size());
            out.set(i, out.get(i).withResult(randomResult(rnd, out.get(i).operation())));
        }
        return out;
    }

    private static List<HistoryEntry> randomHistory(Random rnd, int operations) {
        List<HistoryEntry> out = new ArrayList<>();
        SimulatedClients.Config shape = SimulatedClients.Config.of(1, 2, 2, operations);
        for (int i = 0; i < operations; i++) {
            Operation op = SimulatedClients.randomOperation(rnd, shape);
            long invoke = rnd.nextInt(12);
            long response = invoke + rnd.nextInt(6);
            out.add(new HistoryEntry(i, i, op, randomResult(rnd, op), invoke, response));
        }
        return out;
    }

    private static Result randomResult(Random rnd, Operation op) {
        int roll = rnd.nextInt(10);
        if (roll == 0) {
            return Result.failed();
        }
        if (roll == 1) {
            return Result.unknown();
        }
        return randomOkResult(rnd, op);
    }

    private static Result randomOkResult(Random rnd, Operation op) {
        if (op instanceof Operation.Put) {
            return Result.ok();
        }
        if (op instanceof Operation.Get) {
            int v = rnd.nextInt(3);
            return v == 2 ? Result.okAbsent() : Result.okValue("v" + v);
        }
        if (op instanceof Operation.Delete) {
            int v = rnd.nextInt(3);
            return v == 2 ? Result.ok() : Result.ok(v == 0);
        }
        return Result.ok(rnd.nextBoolean());
    }
}
