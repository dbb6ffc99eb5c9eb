package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
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

  /** The log and hard state after a number of saves. */
  private record State(List<Entry> entries, HardState hardState) {}

  private Outcome runTrial(Path trialDir, PowerLossFileSystem.Loss loss, long seed)
      throws Exception {
    Files.createDirectories(trialDir);
    Random random = new Random(seed);
    List<State> states = new ArrayList<>();
    states.add(new State(List.of(), HardState.getDefaultInstance()));
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();

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
            () -> write(storage, new Random(seed + 1), states, acknowledged, started),
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
      problem = check(reopened, states, acknowledged.get(), started.get());
    } catch (RuntimeException e) {
      problem = "the database does not open after the power cut: " + e;
    }
    return new Outcome(problem, acknowledged.get(), started.get(), undone);
  }

  /**
   * Saves until the power is gone: appends of 1 to 20 entries, now and then a conflicting suffix
   * replaced under a newer term, and commit-only hard states saved without sync as raft's driver
   * does (etcd's MustSync).
   */
  private static void write(
      JdbcStorage storage,
      Random random,
      List<State> states,
      AtomicInteger acknowledged,
      AtomicInteger started) {
    List<Entry> log = new ArrayList<>();
    long term = 1;
    long commit = 0;
    try {
      while (true) {
        HardState hs;
        List<Entry> batch = new ArrayList<>();
        boolean mustSync;
        if (!log.isEmpty() && random.nextInt(5) == 0) {
          commit = Math.min(log.size(), commit + 1 + random.nextInt(10));
          hs = HardState.newBuilder().setTerm(term).setVote(NODE).setCommit(commit).build();
          mustSync = false;
        } else {
          long from = log.size() + 1;
          if (log.size() > commit + 3 && random.nextInt(6) == 0) {
            term++; // a new leader replaces the uncommitted suffix
            from = commit + 1 + random.nextInt((int) (log.size() - commit));
          }
          int n = 1 + random.nextInt(20);
          for (int i = 0; i < n; i++) {
            byte[] data = new byte[100];
            random.nextBytes(data);
            batch.add(
                Entry.newBuilder()
                    .setIndex(from + i)
                    .setTerm(term)
                    .setData(ByteString.copyFrom(data))
                    .build());
          }
          while (log.size() >= from) {
            log.remove(log.size() - 1);
          }
          log.addAll(batch);
          hs = HardState.newBuilder().setTerm(term).setVote(NODE).setCommit(commit).build();
          mustSync = true;
        }
        synchronized (states) {
          states.add(new State(List.copyOf(log), hs));
        }
        started.incrementAndGet();
        storage.save(hs, batch, Snapshot.getDefaultInstance(), mustSync);
        if (mustSync) {
          acknowledged.set(started.get());
        }
      }
    } catch (RuntimeException e) {
      // the power is gone: the save in progress was not acknowledged
    }
  }

  /** Null when the reopened log is the state after some save in [acknowledged, started]. */
  private static String check(
      HikariDataSource reopened, List<State> states, int acknowledged, int started) {
    JdbcStorage storage = JdbcStorage.create(reopened, NODE);
    long last = storage.lastIndex();
    List<Entry> found =
        last == 0 ? List.of() : storage.entries(storage.firstIndex(), last + 1, Long.MAX_VALUE);
    HardState hs = storage.hardState();
    long ackedCommit = states.get(acknowledged).hardState().getCommit();
    for (int k = acknowledged; k <= started && k < states.size(); k++) {
      State s = states.get(k);
      if (s.entries().equals(found)
          && s.hardState().getTerm() == hs.getTerm()
          && hs.getCommit() >= ackedCommit
          && hs.getCommit() <= s.hardState().getCommit()) {
        return null;
      }
    }
    State acked = states.get(acknowledged);
    return "reopened log has "
        + found.size()
        + " entries (term of hard state "
        + hs.getTerm()
        + ", commit "
        + hs.getCommit()
        + "); the last acknowledged save left "
        + acked.entries().size()
        + " entries (term "
        + acked.hardState().getTerm()
        + ", commit "
        + ackedCommit
        + ")";
  }
}
