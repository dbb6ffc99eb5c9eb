package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FileLogStorage} under power loss: a writer saves the way raft's driver does (appends,
 * conflicting suffixes replaced under a newer term, commit-only hard states without sync,
 * snapshots with compaction, segments rolled often) while the power is cut at a random moment;
 * the disk keeps only what was forced, or a random prefix of the rest, or that with a sector lost
 * ({@link LossyFileChannels}). The log opened from what is left must be the state after some save
 * that was at least acknowledged and at most started. Odd trials cut at a random instant, even
 * ones right after a write, before its force: a random instant mostly finds every segment forced,
 * since a force holds the disk far longer than a write, so only the latter surely loses bytes.
 *
 * <p>A negative control runs the same workload on a disk that skips fsync and shows the check
 * fails.
 */
class PowerLossFileLogStorageTests {

  private static final long NODE = 1;
  private static final int TRIALS = 12;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(PowerLossFileSystem.Loss.class)
  void acknowledgedSavesSurviveAPowerCut(PowerLossFileSystem.Loss loss) throws Exception {
    int undoneTotal = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      long seed = 1000L * loss.ordinal() + trial;
      Outcome outcome = runTrial(dir.resolve(loss + "-" + trial), loss, seed, false);
      assertThat(outcome.problem)
          .as(
              "seed %d, %d of %d saves acknowledged, %d unforced bytes undone",
              seed, outcome.acknowledged, outcome.started, outcome.undone)
          .isNull();
      assertThat(outcome.acknowledged).as("seed %d: the writer made progress", seed).isPositive();
      undoneTotal += outcome.undone;
    }
    if (loss != PowerLossFileSystem.Loss.ALL) {
      assertThat(undoneTotal).as("the cuts lost unforced bytes").isPositive();
    }
  }

  /**
   * The check can fail: on a disk that acknowledges fsync without doing it, the same power cut
   * takes acknowledged saves with it.
   */
  @Test
  void aDiskThatSkipsFsyncLosesAcknowledgedSaves() throws Exception {
    int caught = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      Outcome outcome =
          runTrial(dir.resolve("nofsync-" + trial), PowerLossFileSystem.Loss.ALL, 77 + trial, true);
      if (outcome.problem != null) {
        caught++;
      }
    }
    assertThat(caught).as("trials in which lost acknowledged saves were detected").isPositive();
  }

  private record Outcome(String problem, int acknowledged, int started, int undone) {}

  private Outcome runTrial(Path trialDir, PowerLossFileSystem.Loss loss, long seed, boolean noFsync)
      throws Exception {
    Files.createDirectories(trialDir);
    Random random = new Random(seed);
    LossyFileChannels disk = new LossyFileChannels();
    if (noFsync) {
      disk.ignoreForce();
    }
    PowerLossWorkload workload = new PowerLossWorkload(NODE, 2, true);
    AtomicReference<RuntimeException> stop = new AtomicReference<>();
    FileLogStorage storage =
        FileLogStorage.builder(trialDir, NODE)
            // Small segments roll often, so cuts land in rolls too. A roll forces a checkpoint of
            // everything, which would hide a disk that skips fsync: the control rolls never.
            .segmentSize(noFsync ? 1L << 30 : 8 * 1024)
            .channels(disk)
            .open();
    Thread writer =
        new Thread(
            () -> stop.set(workload.run(storage, new Random(seed + 1))),
            "power-loss-writer");
    writer.start();
    Thread.sleep(20 + random.nextInt(200));
    int undone =
        seed % 2 == 0
            ? disk.cutAfterNextWrite(loss, random).get(1, TimeUnit.MINUTES)
            : disk.cut(loss, random);
    writer.join();
    storage.close();
    assertThat(stop.get())
        .as("seed %d: why the writer stopped", seed)
        .isInstanceOf(LogFileException.class)
        .hasStackTraceContaining("the power is off");
    String problem;
    try (FileLogStorage reopened = FileLogStorage.builder(trialDir, NODE).open()) {
      problem = workload.check(reopened);
    } catch (RuntimeException e) {
      problem = "the log does not open after the power cut: " + e;
    }
    return new Outcome(problem, workload.acknowledged(), workload.started(), undone);
  }
}
