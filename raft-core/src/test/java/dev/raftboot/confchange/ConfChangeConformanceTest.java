package dev.raftboot.confchange;

import dev.raftboot.datadriven.ConformanceFiles;
import dev.raftboot.datadriven.TestData;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.tracker.ProgressTracker;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Runs etcd's {@code confchange/testdata} scripts (SPEC §5). */
class ConfChangeConformanceTest {

  @TestFactory
  Stream<DynamicTest> confchange() {
    return ConformanceFiles.tests("confchange/testdata", file -> new Script());
  }

  /**
   * The state of one script: a tracker that successful directives update, and the last index, which
   * every directive advances so that new peers show where they were added.
   */
  private static final class Script implements Function<TestData, String> {

    private final ProgressTracker tracker = new ProgressTracker(10, 0);
    private long lastIndex;

    @Override
    public String apply(TestData d) {
      try {
        return run(new Changer(tracker, lastIndex), d);
      } finally {
        lastIndex++;
      }
    }

    private String run(Changer changer, TestData d) {
      List<ConfChangeSingle> ccs;
      try {
        ccs = ConfChanges.fromString(d.input());
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
      Changer.Result r;
      try {
        r =
            switch (d.cmd()) {
              case "simple" -> changer.simple(ccs);
              case "enter-joint" ->
                  changer.enterJoint(!d.cmdArgs().isEmpty() && d.arg("autoleave").boolVal(), ccs);
              case "leave-joint" -> {
                if (!ccs.isEmpty()) {
                  throw new ConfChangeException("this command takes no input");
                }
                yield changer.leaveJoint();
              }
              default -> null;
            };
      } catch (ConfChangeException e) {
        return e.getMessage() + "\n";
      }
      if (r == null) {
        return "unknown command";
      }
      tracker.setConfig(r.config());
      tracker.setProgress(r.progress());
      return tracker.config() + "\n" + tracker.progress();
    }
  }
}
