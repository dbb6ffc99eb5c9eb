package dev.raftboot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.sim.Simulation.Options;
import dev.raftboot.sim.Simulation.Result;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every check of the simulation can fail: for each deliberately {@link Broken} variant, a bounded
 * run over at most {@value #MAX_SEEDS} seeds with only the check that should catch it enabled (panics
 * are always reported) must report a violation of exactly that check. Together with {@link
 * SimulationTest} (no violation without the breakage) this shows the checks are neither vacuous nor
 * trigger-happy.
 */
class SimulationCatchesBrokenVariantsTest {

  static final int MAX_SEEDS = 100;
  static final int STEPS = 3000;

  @ParameterizedTest
  @EnumSource(value = Broken.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void brokenVariantIsCaught(Broken broken) {
    List<String> others = new ArrayList<>();
    for (long seed = 1; seed <= MAX_SEEDS; seed++) {
      Result r =
          new Simulation(
                  new Options()
                      .seed(seed)
                      .steps(STEPS)
                      .broken(broken)
                      .checks(EnumSet.of(broken.expected))
                      .traceLines(12))
              .run();
      if (r.failed() == broken.expected) {
        System.out.printf(
            "%s caught by %s at seed %d step %d (after %d seed(s) without: %s)%n%s%n",
            broken, broken.expected, seed, r.step(), seed - 1, others, r.report());
        return;
      }
      others.add(seed + ":" + (r.ok() ? "ok" : r.failed()));
    }
    assertThat(others)
        .as("%s was never caught by %s within %d seeds", broken, broken.expected, MAX_SEEDS)
        .isEmpty();
  }
}
