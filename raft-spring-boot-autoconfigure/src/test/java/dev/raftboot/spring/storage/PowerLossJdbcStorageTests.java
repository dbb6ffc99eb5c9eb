package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The default raft log (H2 file database, synced with CHECKPOINT SYNC) under power loss: a writer
 * saves entries the way raft's driver does (appends, conflicting suffixes replaced under a newer
 * term, commit-only hard states that need no sync) while the power is cut at a random moment; the
 * disk keeps only what was forced, or a random prefix of the rest, or a torn write. The database
 * reopened from what is left must hold everything whose synced save returned: exactly the state
 * after some save that was at least acknowledged and at most started.
 *
 * <p>A negative control runs the same workload on a disk that skips fsync and shows the check
 * fails.
 */
class PowerLossJdbcStorageTests {

  private static final long NODE = 1;
  private static final int TRIALS = 8;

  @TempDir Path dir;

  @BeforeEach
  void install() {
    PowerLossFileSystem.install();
    PowerLossFileSystem.reset();
  }

  @AfterEach
  void forget() {
    PowerLossFileSystem.reset();
  }

  @ParameterizedTest
  @EnumSource(PowerLossFileSystem.Loss.class)
  void acknowledgedSavesSurviveAPowerCut(PowerLossFileSystem.Loss loss) throws Exception {
    for (int trial = 0; trial < TRIALS; trial++) {
      long seed = 1000L * loss.ordinal() + trial;
      Outcome outcome = runTrial(dir.resolve(loss + "-" + trial), loss, seed);
      assertThat(outcome.problem)
          .as("seed %d, %d of %d saves acknowledged, %d unforced writes undone", seed,
              outcome.acknowledged, outcome.started, outcome.undone)
          .isNull();
      assertThat(outcome.acknowledged).as("seed %d: the writer made progress", seed).isPositive();
    }
  }

  /**
   * The check can fail: on a disk that acknowledges fsync without doing it, the same power cut
   * takes acknowledged saves with it (a process crash would not: the writes reached the file).
   */
  @Test
  void aDiskThatSkipsFsyncLosesAcknowledgedSaves() throws Exception {
    int caught = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      PowerLossFileSystem.reset();
      PowerLossFileSystem.ignoreForce();
      Outcome outcome =
          runTrial(dir.resolve("nofsync-" + trial), PowerLossFileSystem.Loss.ALL, 77 + trial);
      if (outcome.problem != null) {
        assertThat(outcome.undone).as("writes that reached the file were lost").isPositive();
        caught++;
      }
    }
    assertThat(caught).as("trials in which lost acknowledged saves were detected").isPositive();
  }

  /** What a trial found: null problem when the reopened log is a state the saves allow. */
  private record Outcome(String problem, int acknowledged, int started, int undone) {}

  private Outcome runTrial(Path trialDir, PowerLossFileSystem.Loss loss, long seed)
      throws Exception {
    Files.createDirectories(trialDir);
    Random random = new Random(seed);
    PowerLossWorkload workload = new PowerLossWorkload(NODE, 5, false);

    HikariDataSource ds =
        TestDatabases.pool(
            "jdbc:h2:" + PowerLossFileSystem.SCHEME + ":" + trialDir.resolve("raft")
                + ";DB_CLOSE_ON_EXIT=FALSE",
            "sa",
            "");
    TestDatabases.createSchema(ds);
    JdbcStorage storage = JdbcStorage.create(ds, NODE);
    Thread writer =
        new Thread(
            () -> workload.run(storage, new Random(seed + 1)),
            "power-loss-writer");
    writer.start();
    Thread.sleep(50 + random.nextInt(250));
    int undone = PowerLossFileSystem.cut(loss, random);
    writer.join();
    ds.close();

    Path after = trialDir.resolve("after");
    Files.createDirectories(after);
    Files.copy(trialDir.resolve("raft.mv.db"), after.resolve("raft.mv.db"));
    String problem;
    try (HikariDataSource reopened = TestDatabases.h2File(after)) {
      problem = workload.check(JdbcStorage.create(reopened, NODE));
    } catch (RuntimeException e) {
      problem = "the database does not open after the power cut: " + e;
    }
    return new Outcome(problem, workload.acknowledged(), workload.started(), undone);
  }
}
