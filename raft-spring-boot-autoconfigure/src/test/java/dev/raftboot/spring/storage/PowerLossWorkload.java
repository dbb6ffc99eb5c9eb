package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import dev.raftboot.Storage;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Random;

/**
 * What the power-loss tests write and check: saves the way raft's driver makes them (appends of 1
 * to 20 entries, now and then a conflicting suffix replaced under a newer term, commit-only hard
 * states saved without sync as etcd's MustSync allows, optionally a snapshot of the committed
 * prefix with a compaction below it every 40 saves), each state recorded before its save starts.
 * A log reopened after the power cut passes {@link #check} when it is the state after some save
 * at least acknowledged and at most started.
 */
final class PowerLossWorkload {

  /** The log and hard state after a number of saves. */
  record State(List<Entry> entries, HardState hardState) {}

  private final long node;
  private final int unsyncedOneIn;
  private final boolean snapshots;
  private final List<State> states = new ArrayList<>();
  private final AtomicInteger acknowledged = new AtomicInteger();
  private final AtomicInteger started = new AtomicInteger();

  /**
   * @param unsyncedOneIn one save in this many is a commit-only hard state, saved without sync
   * @param snapshots whether to take snapshots and compact
   */
  PowerLossWorkload(long node, int unsyncedOneIn, boolean snapshots) {
    this.node = node;
    this.unsyncedOneIn = unsyncedOneIn;
    this.snapshots = snapshots;
    states.add(new State(List.of(), HardState.getDefaultInstance()));
  }

  int acknowledged() {
    return acknowledged.get();
  }

  int started() {
    return started.get();
  }

  /** Saves until the storage fails (the power is gone); returns that failure. */
  RuntimeException run(RaftStorage storage, Random random) {
    List<Entry> log = new ArrayList<>();
    long term = 1;
    long commit = 0;
    try {
      for (int save = 1; ; save++) {
        HardState hs;
        List<Entry> batch = new ArrayList<>();
        boolean mustSync;
        if (!log.isEmpty() && random.nextInt(unsyncedOneIn) == 0) {
          commit = Math.min(log.size(), commit + 1 + random.nextInt(10));
          hs = HardState.newBuilder().setTerm(term).setVote(node).setCommit(commit).build();
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
          hs = HardState.newBuilder().setTerm(term).setVote(node).setCommit(commit).build();
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
        if (snapshots && save % 40 == 0 && snapAt > storage.snapshot().getMetadata().getIndex()) {
          storage.createSnapshot(
              snapAt, ConfState.newBuilder().addVoters(node).build(), ByteString.copyFromUtf8("s"));
          storage.compact(snapAt - 10 > storage.firstIndex() ? snapAt - 10 : snapAt);
        }
      }
    } catch (RuntimeException e) {
      // the power is gone (the caller checks): the save in progress was not acknowledged
      return e;
    }
  }

  /**
   * Null when {@code reopened} is the state after some save in [acknowledged, started]: the same
   * entries from its first index on, and a hard state of that term with a commit index no lower
   * than the acknowledged one; else what differs.
   */
  String check(Storage reopened) {
    int acked = acknowledged.get();
    long first = reopened.firstIndex();
    long last = reopened.lastIndex();
    List<Entry> found = last < first ? List.of() : reopened.entries(first, last + 1, Long.MAX_VALUE);
    HardState hs = reopened.initialState().hardState();
    long ackedCommit = states.get(acked).hardState().getCommit();
    for (int k = acked; k <= started.get() && k < states.size(); k++) {
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
    State ackedState = states.get(acked);
    return "reopened log has entries ["
        + first
        + ", "
        + last
        + "] (term of hard state "
        + hs.getTerm()
        + ", commit "
        + hs.getCommit()
        + "); the last acknowledged save left "
        + ackedState.entries().size()
        + " entries (term "
        + ackedState.hardState().getTerm()
        + ", commit "
        + ackedCommit
        + ")";
  }
}
