package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
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
 * that was at least acknowledged and at most started.
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

  /** The log and hard state after a number of saves. */
  private record State(List<Entry> entries, HardState hardState) {}

  private Outcome runTrial(Path trialDir, PowerLossFileSystem.Loss loss, long seed, boolean noFsync)
      throws Exception {
    Files.createDirectories(trialDir);
    Random random = new Random(seed);
    LossyFileChannels disk = new LossyFileChannels();
    if (noFsync) {
      disk.ignoreForce();
    }
    List<State> states = new ArrayList<>();
    states.add(new State(List.of(), HardState.getDefaultInstance()));
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
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
            () -> stop.set(write(storage, new Random(seed + 1), states, acknowledged, started)),
            "power-loss-writer");
    writer.start();
    Thread.sleep(20 + random.nextInt(200));
    int undone = disk.cut(loss, random);
    writer.join();
    storage.close();
    assertThat(stop.get())
        .as("seed %d: why the writer stopped", seed)
        .isInstanceOf(LogFileException.class)
        .hasStackTraceContaining("the power is off");
    String problem;
    try (FileLogStorage reopened = FileLogStorage.builder(trialDir, NODE).open()) {
      problem = check(reopened, states, acknowledged.get(), started.get());
    } catch (RuntimeException e) {
      problem = "the log does not open after the power cut: " + e;
    }
    return new Outcome(problem, acknowledged.get(), started.get(), undone);
  }

  /**
   * Saves until the power is gone. Every 40 saves, a snapshot of the committed prefix and a
   * compaction below it, as the runtime's persist stage does.
   */
  private static RuntimeException write(
      FileLogStorage storage,
      Random random,
      List<State> states,
      AtomicInteger acknowledged,
      AtomicInteger started) {
    List<Entry> log = new ArrayList<>();
    long term = 1;
    long commit = 0;
    try {
      for (int save = 1; ; save++) {
        HardState hs;
        List<Entry> batch = new ArrayList<>();
        boolean mustSync;
        if (!log.isEmpty() && random.nextInt(2) == 0) {
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
        long snapAt = commit - 5;
        if (save % 40 == 0 && snapAt > storage.snapshotMetadata().getIndex()) {
          storage.createSnapshot(
              snapAt, ConfState.newBuilder().addVoters(NODE).build(), ByteString.copyFromUtf8("s"));
          storage.compact(snapAt - 10 > storage.firstIndex() ? snapAt - 10 : snapAt);
        }
      }
    } catch (RuntimeException e) {
      // the power is gone (the caller checks): the save in progress was not acknowledged
      return e;
    }
  }

  /**
   * Null when the reopened log is the state after some save in [acknowledged, started]: the same
   * entries from its first index on, and a hard state of that term with a commit index no lower
   * than the acknowledged one.
   */
  private static String check(
      FileLogStorage reopened, List<State> states, int acknowledged, int started) {
    long first = reopened.firstIndex();
    long last = reopened.lastIndex();
    List<Entry> found = last < first ? List.of() : reopened.entries(first, last + 1, Long.MAX_VALUE);
    HardState hs = reopened.hardState();
    long ackedCommit = states.get(acknowledged).hardState().getCommit();
    for (int k = acknowledged; k <= started && k < states.size(); k++) {
      State s = states.get(k);
      List<Entry> expected = s.entries();
      if (last == expected.size()
          && expected.subList((int) first - 1, expected.size()).equals(found)
          && s.hardState().getTerm() == hs.getTerm()
          && hs.getCommit() >= ackedCommit
          && hs.getCommit() <= s.hardState().getCommit()) {
        return null;
      }
    }
    State acked = states.get(acknowledged);
    return "reopened log has entries ["
        + first
        + ", "
        + last
        + "] (term of hard state "
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
