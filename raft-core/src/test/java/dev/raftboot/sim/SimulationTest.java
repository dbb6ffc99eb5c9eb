package dev.raftboot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.sim.Simulation.Options;
import dev.raftboot.sim.Simulation.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Deterministic simulation of raft-core under faults (see {@link Simulation}): every seed builds a
 * 3- or 5-node cluster with its own configuration and fault mix, runs it with the safety checks of
 * {@link Checker} after every step, heals all faults and requires a new commit within a bound.
 *
 * <p>The default run takes {@code sim.seeds} seeds from {@code sim.seedBase} with {@code
 * sim.steps} steps each. A failing seed prints its report (seed, step, violated property, scenario,
 * replay command and a trace excerpt); replay it exactly with
 *
 * <pre>
 * mvn -B -o -pl raft-core test -Dtest=SimulationTest#replay -Dsim.seed=SEED [-Dsim.steps=N]
 *     [-Dsim.broken=VARIANT] [-Dsim.checks=CHECK,...] [-Dsim.verbose=true] [-Dsim.trace=LINES]
 * </pre>
 *
 * <p>A failing seed also writes its history and fault schedule to {@code
 * target/sim-histories/} ({@link History}); {@link #recheck} re-checks such a file from the file
 * alone ({@link HistoryCheck}).
 *
 * <p>The long soak is {@link SimulationSoakTest}: {@code mvn -B -o -pl raft-core verify -Psoak
 * -Dsim.seeds=2000}.
 */
class SimulationTest {

  static final long SEED_BASE = Long.getLong("sim.seedBase", 1);
  static final int SEEDS = Integer.getInteger("sim.seeds", 500);
  static final int STEPS = Integer.getInteger("sim.steps", 5000);
  /** {@code -Dsim.broken=VARIANT}: run the seeds with a broken variant (to count its catches). */
  static final Broken BROKEN = Broken.valueOf(System.getProperty("sim.broken", "NONE"));
  /** {@code -Dsim.checks=CHECK,...}: only these checks (panics are always reported). */
  static final EnumSet<Check> CHECKS = checks(System.getProperty("sim.checks"));

  private static EnumSet<Check> checks(String list) {
    if (list == null || list.isBlank()) {
      return EnumSet.allOf(Check.class);
    }
    EnumSet<Check> cs = EnumSet.noneOf(Check.class);
    for (String c : list.split(",")) {
      cs.add(Check.valueOf(c.trim()));
    }
    return cs;
  }

  @Test
  void randomizedClustersUnderFaults() {
    SimStats total = runSeeds(SEED_BASE, SEEDS, STEPS, "simulation");
    assertThat(total.violations).as("violations (reports printed above)").isZero();
    assertThat(total.clientEntriesCommitted).isPositive();
  }

  /** Replays one seed exactly: {@code -Dsim.seed=SEED}. */
  @Test
  @EnabledIfSystemProperty(named = "sim.seed", matches = ".+")
  void replay() {
    Options o =
        new Options()
            .seed(Long.getLong("sim.seed"))
            .steps(STEPS)
            .verbose(Boolean.getBoolean("sim.verbose"))
            .traceLines(Integer.getInteger("sim.trace", 200))
            .broken(BROKEN)
            .checks(CHECKS);
    o.livenessTicks = Integer.getInteger("sim.livenessTicks", o.livenessTicks);
    o.shrinkTwoVoters = Boolean.getBoolean("sim.shrinkTwoVoters");
    o.saveHistory = Boolean.getBoolean("sim.saveHistory");
    Result r = new Simulation(o).run();
    System.out.println(r.ok() ? "seed " + r.seed() + " passed" : r.report());
    System.out.println(r.stats().summary());
    assertThat(r.ok()).as(r.message()).isTrue();
  }

  /**
   * Re-checks a saved history file ({@code -Dsim.history=FILE}, written by a failing seed or with
   * {@code -Dsim.saveHistory=true}) without running the simulation; fails when it has a violation.
   */
  @Test
  @EnabledIfSystemProperty(named = "sim.history", matches = ".+")
  void recheck() throws IOException {
    HistoryCheck.Verdict v = HistoryCheck.check(Path.of(System.getProperty("sim.history")));
    System.out.println(v);
    assertThat(v.ok()).as("%s", v).isTrue();
  }

  @Test
  void sameSeedReplaysExactly() {
    for (long seed : new long[] {3, 4}) {
      Result a = new Simulation(new Options().seed(seed).steps(1500)).run();
      Result b = new Simulation(new Options().seed(seed).steps(1500)).run();
      assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
      assertThat(b.stats().summary()).isEqualTo(a.stats().summary());
      Result c = new Simulation(new Options().seed(seed + 100).steps(1500)).run();
      assertThat(c.fingerprint()).isNotEqualTo(a.fingerprint());
    }
  }

  /**
   * Regression for a stale read the simulation found in raft-core (and etcd raft): a leader that
   * had demoted itself to learner ({@code stepDownOnRemoval} off) in a configuration whose single
   * voter was another node answered read-index requests from its own, stale commit index through
   * the single-voter shortcut. Seed 10378 with two-voter shrinking allowed reaches that state.
   */
  @Test
  void demotedLeaderDoesNotServeStaleReads() {
    Options o = new Options().seed(10378).steps(5000).checks(EnumSet.of(Check.READ_INDEX));
    o.shrinkTwoVoters = true;
    Result r = new Simulation(o).run();
    assertThat(r.ok()).as("%s", r.report()).isTrue();
    assertThat(r.stats().readsServed).isPositive();
  }

  /** Runs seeds {@code [base, base+count)}, prints failures and totals, returns the totals. */
  static SimStats runSeeds(long base, int count, int steps, String label) {
    SimStats total = new SimStats();
    List<Long> failed = new ArrayList<>();
    long slowestSeed = -1;
    long t0 = System.nanoTime();
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = mx.getCurrentThreadCpuTime();
    for (long s = base; s < base + count; s++) {
      Options o = new Options().seed(s).steps(steps).broken(BROKEN).checks(CHECKS);
      o.shrinkTwoVoters = Boolean.getBoolean("sim.shrinkTwoVoters");
      Result r = new Simulation(o).run();
      if (r.stats().livenessMaxTicks >= total.livenessMaxTicks) {
        slowestSeed = s;
      }
      total.add(r.stats());
      if (Boolean.getBoolean("sim.perSeed")) {
        System.out.println(
            "seed " + s + ": liveness=" + r.stats().livenessMaxTicks + " committed="
                + r.stats().clientEntriesCommitted + " proposals=" + r.stats().proposals
                + " dropped=" + r.stats().proposalsDropped + " steps=" + r.stats().steps
                + " ticks=" + r.stats().ticks);
      }
      if (!r.ok()) {
        failed.add(s);
        System.out.println(r.report());
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
    System.out.printf(
        "%s: seeds %d..%d, %d steps each, %d ms (%d ms cpu)%n%s (slowest: seed %d)%nfailed seeds:"
            + " %s%n",
        label, base, base + count - 1, steps, ms, cpuMs, total.summary(), slowestSeed, failed);
    return total;
  }
}
