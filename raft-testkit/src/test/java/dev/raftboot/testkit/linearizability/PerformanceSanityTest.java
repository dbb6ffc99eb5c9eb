package dev.raftboot.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A history of the size a soak test produces must check quickly. Only correctness is asserted; the
 * time is printed so regressions are visible without making the build flaky on a busy machine.
 */
class PerformanceSanityTest {

    @Test
    void tenThousandOperationsOverFiftyKeysWithEightClients() {
        SimulatedClients.Config config = SimulatedClients.Config.of(8, 50, 5, 10_000).withFaults(0.01, 0.01);
        List<HistoryEntry> history = SimulatedClients.run(new Random(42), config).entries();
        LinearizabilityChecker checker = LinearizabilityChecker.defaults();

        checker.check(history); // warm-up
        CheckResult ok = checker.check(history);
        System.out.println("[perf] linearizable history: " + ok.describe().strip());
        assertThat(ok.verdict()).as(ok::describe).isEqualTo(CheckResult.Verdict.LINEARIZABLE);

        List<HistoryEntry> broken = new ArrayList<>(history);
        int victim = -1;
        for (int i = broken.size() / 2; i < broken.size(); i++) {
            if (broken.get(i).result() instanceof Result.OkValue) {
                victim = i;
                break;
            }
        }
        broken.set(victim, broken.get(victim).withResult(Result.okValue("never-written")));
        CheckResult bad = checker.check(broken);
        System.out.println("[perf] history with one corrupted read: " + bad.describe().lines().findFirst().orElseThrow());
        assertThat(bad.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(bad.violations()).extracting(Violation::key).containsExactly(broken.get(victim).key());
    }

    @Test
    void oneHotKeyWithThousandsOfOperations() {
        SimulatedClients.Config config = SimulatedClients.Config.of(8, 1, 5, 5_000);
        List<HistoryEntry> history = SimulatedClients.run(new Random(7), config).entries();
        CheckResult r = LinearizabilityChecker.defaults().check(history);
        System.out.println("[perf] single hot key: " + r.describe().strip());
        assertThat(r.verdict()).as(r::describe).isEqualTo(CheckResult.Verdict.LINEARIZABLE);
    }
}
