package dev.raftboot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The long soak of the deterministic simulation, excluded from the default build (tag {@code
 * soak}). Run it with the {@code soak} profile of raft-core:
 *
 * <pre>
 * mvn -B -o -pl raft-core verify -Psoak -Dsim.seeds=2000 [-Dsim.steps=8000] [-Dsim.seedBase=1000000]
 * </pre>
 *
 * <p>It runs {@code sim.seeds} seeds from {@code sim.seedBase} (default 1,000,000, disjoint from
 * the default run's seeds) with {@code sim.steps} faulty steps each (default 8,000), prints every
 * failing seed's report and the totals (seeds, steps, faults by type, operations, violations),
 * and writes the totals to {@code raft-core/target/sim-soak-report.txt}. A failing seed replays
 * with the command in its report ({@code SimulationTest#replay}).
 */
@Tag("soak")
class SimulationSoakTest {

  @Test
  void soak() throws IOException {
    long base = Long.getLong("sim.seedBase", 1_000_000L);
    int seeds = Integer.getInteger("sim.seeds", 2000);
    int steps = Integer.getInteger("sim.steps", 8000);
    long t0 = System.nanoTime();
    SimStats total = SimulationTest.runSeeds(base, seeds, steps, "soak");
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    String report =
        String.format(
            "soak finished %s: seeds %d..%d, %d steps each, %d s%n%s%n",
            Instant.now(), base, base + seeds - 1, steps, seconds, total.summary());
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "sim-soak-report.txt"), report, StandardCharsets.UTF_8);
    assertThat(total.violations).as("violations (reports printed above)").isZero();
  }
}
