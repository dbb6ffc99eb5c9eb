package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LostWriteTest {

    @Test
    void losesTheLastAcknowledgedWriteThatWasRead() {
        History h = new History();
        long a = h.invoke(1, put("k", "a"));
        h.complete(a, Result.ok());
        long b = h.invoke(1, put("k", "b"));
        long u = h.invoke(2, put("k", "maybe")); // unknown, concurrent with everything after it
        h.complete(b, Result.ok());
        h.complete(u, Result.unknown());
        long r = h.invoke(3, get("k"));
        h.complete(r, Result.okValue("b"));
        assertThat(LinearizabilityChecker.defaults().check(h).isLinearizable()).isTrue();

        LostWrite.Injected lost = LostWrite.inject(h.entries()).orElseThrow();

        assertThat(lost.entries().get((int) r).result()).isEqualTo(Result.okValue("a"));
        assertThat(lost.description()).contains("put(\"k\", \"b\")").contains("1 later reads");
        CheckResult check = LinearizabilityChecker.defaults().check(lost.entries());
        assertThat(check.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void findsNothingToLoseWithoutAnEarlierAcknowledgedWrite() {
        History h = new History();
        long a = h.invoke(1, put("k", "a"));
        h.complete(a, Result.ok());
        long r = h.invoke(1, get("k"));
        h.complete(r, Result.okValue("a"));
        assertThat(LostWrite.inject(h.entries())).isEmpty();
    }

    /** On linearizable histories with failed and unknown outcomes, every injection is rejected. */
    @Test
    void everyInjectedLossIsRejected() {
        int injected = 0;
        for (int seed = 0; seed < 200; seed++) {
            History h = SimulatedClients.run(new Random(seed),
                    SimulatedClients.Config.of(4, 2, 1_000_000, 120).withFaults(0.05, 0.15));
            List<HistoryEntry> entries = h.entries();
            assertThat(LinearizabilityChecker.defaults().check(entries).isLinearizable()).isTrue();
            Optional<LostWrite.Injected> lost = LostWrite.inject(entries);
            if (lost.isPresent()) {
                injected++;
                assertThat(LinearizabilityChecker.defaults().check(lost.get().entries()).verdict())
                        .as("seed %d: %s", seed, lost.get().description())
                        .isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
            }
        }
        System.out.println("LostWriteTest: " + injected + " of 200 histories had a write to lose; all rejected");
        assertThat(injected).isGreaterThan(150);
    }
}
