package dev.raftboot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.sim.Simulation.Options;
import dev.raftboot.sim.Simulation.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A saved history can be re-checked from its file alone: a passing run's history passes, the
 * history of a broken variant the in-run checker caught fails the same check again, and so does a
 * correct history edited by hand.
 */
class HistoryCheckTest {

  @Test
  void passingRunsHistoryPasses() throws IOException {
    Options o = new Options().seed(5).steps(3000);
    o.saveHistory = true;
    Result r = new Simulation(o).run();
    assertThat(r.ok()).as("%s", r.report()).isTrue();
    List<String> lines = Files.readAllLines(r.historyFile(), StandardCharsets.UTF_8);
    assertThat(lines).anyMatch(l -> l.contains(" leader "))
        .anyMatch(l -> l.contains(" commit "))
        .anyMatch(l -> l.contains(" read-index "))
        .anyMatch(l -> l.contains(" fault kind="));
    HistoryCheck.Verdict v = HistoryCheck.check(r.historyFile());
    assertThat(v.ok()).as("%s", v).isTrue();
    assertThat(v.events()).isEqualTo(lines.stream().filter(l -> !l.startsWith("#")).count());
  }

  @Test
  void caughtVariantsFailTheRecheckToo() throws IOException {
    for (Broken b : List.of(Broken.STALE_READ, Broken.DOUBLE_VOTE, Broken.VOTE_FOR_STALE_APPLY)) {
      Result r = firstCaught(b);
      HistoryCheck.Verdict v = HistoryCheck.check(r.historyFile());
      assertThat(v.counts()).as("%s: %s", b, v).containsKey(b.expected);
      assertThat(v.recorded()).contains("violation check=" + b.expected);
    }
  }

  @Test
  void editedHistoryFails() throws IOException {
    Options o = new Options().seed(6).steps(2000);
    o.saveHistory = true;
    Result r = new Simulation(o).run();
    List<String> lines = new ArrayList<>(Files.readAllLines(r.historyFile()));
    // a second node claims a term someone else already led, and a read answered too low
    String leader = lines.stream().filter(l -> l.contains(" leader ")).findFirst().orElseThrow();
    lines.add(leader.replaceFirst("node=(\\d+)", "node=99"));
    String ri = lines.stream().filter(l -> l.contains(" read-index ")).reduce((a, b2) -> b2)
        .orElseThrow();
    lines.add(ri.replaceFirst("index=\\d+$", "index=0"));
    HistoryCheck.Verdict v = HistoryCheck.check(lines);
    assertThat(v.counts()).containsKeys(Check.ONE_LEADER_PER_TERM, Check.READ_INDEX);
  }

  @Test
  void refusesWhatIsNoHistory() {
    assertThatThrownBy(() -> HistoryCheck.check(List.of("hello")))
        .hasMessageContaining("first line must be '" + History.HEADER + "'");
    assertThatThrownBy(() -> HistoryCheck.check(List.of(History.HEADER, "1 2 teleport node=1")))
        .hasMessageContaining("line 2: unknown event 'teleport'");
  }

  private static Result firstCaught(Broken b) {
    for (long seed = 1; seed <= SimulationCatchesBrokenVariantsTest.MAX_SEEDS; seed++) {
      Result r = new Simulation(new Options().seed(seed).steps(3000).broken(b)
          .checks(EnumSet.of(b.expected))).run();
      if (r.failed() == b.expected) {
        assertThat(r.historyFile()).isNotNull();
        return r;
      }
    }
    throw new AssertionError(b + " not caught");
  }
}
