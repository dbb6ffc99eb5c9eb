package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.Storage;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * What the storage tests share: building entries, hard states and snapshots, random operations
 * drawn around a {@link LogModel}'s log, and the comparison of a {@link Storage} with the model.
 */
final class StorageFixtures {

  private StorageFixtures() {}

  static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  static Entry entry(long index, long term, String data) {
    return Entry.newBuilder()
        .setIndex(index)
        .setTerm(term)
        .setType(EntryType.EntryNormal)
        .setData(ByteString.copyFromUtf8(data))
        .build();
  }

  static HardState hardState(long term, long vote, long commit) {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
  }

  static Snapshot snapshot(long index, long term, ConfState cs, String data) {
    return Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(cs))
        .setData(ByteString.copyFromUtf8(data))
        .build();
  }

  static ConfState voters(long... ids) {
    ConfState.Builder cs = ConfState.newBuilder();
    for (long id : ids) {
      cs.addVoters(id);
    }
    return cs.build();
  }

  /** Up to five entries starting a little below, inside or just after the model's log. */
  static List<Entry> randomEntries(Random random, LogModel model) {
    long start =
        model.firstIndex() - 2 + random.nextInt((int) (model.lastIndex() - model.firstIndex() + 5));
    int count = random.nextInt(6);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Entry.Builder e = Entry.newBuilder().setIndex(start + i).setTerm(1 + random.nextInt(9));
      if (random.nextInt(3) > 0) {
        e.setType(EntryType.forNumber(random.nextInt(3)));
      }
      if (random.nextInt(3) > 0) {
        byte[] data = new byte[random.nextInt(40)];
        random.nextBytes(data);
        e.setData(ByteString.copyFrom(data));
      }
      entries.add(e.build());
    }
    return entries;
  }

  /** A snapshot at an index around the model's snapshot and log, sometimes out of date. */
  static Snapshot randomSnapshot(Random random, LogModel model) {
    long index =
        model.snapshot().getMetadata().getIndex()
            - 1
            + random.nextInt(
                (int) Math.max(1, model.lastIndex() - model.snapshot().getMetadata().getIndex() + 6));
    return snapshot(
        Math.max(1, index),
        1 + random.nextInt(9),
        voters(1, 2 + random.nextInt(3)),
        "applied " + index);
  }

  /** Asserts that {@code storage} answers every read as {@code model} does, errors included. */
  static void compare(String context, Random random, LogModel model, Storage storage) {
    assertThat(storage.firstIndex())
        .as("firstIndex after %s", context)
        .isEqualTo(model.firstIndex());
    assertThat(storage.lastIndex()).as("lastIndex after %s", context).isEqualTo(model.lastIndex());
    assertThat(storage.initialState())
        .as("initialState after %s", context)
        .isEqualTo(model.initialState());
    assertThat(storage.snapshot()).as("snapshot after %s", context).isEqualTo(model.snapshot());
    for (long i = model.firstIndex() - 2; i <= model.lastIndex() + 1; i++) {
      long index = i;
      same(
          "term(" + i + ") after " + context,
          () -> outcome(() -> model.term(index)),
          () -> outcome(() -> storage.term(index)));
    }
    for (int k = 0; k < 4; k++) {
      long lo =
          model.firstIndex()
              - 1
              + random.nextInt((int) (model.lastIndex() - model.firstIndex() + 3));
      long hi = lo + random.nextInt((int) Math.max(1, model.lastIndex() + 2 - lo + 1));
      long[] limits = {-1, 0, 1, random.nextInt(200)};
      long max = limits[random.nextInt(limits.length)];
      same(
          "entries(" + lo + ", " + hi + ", " + max + ") after " + context,
          () -> outcome(() -> model.entries(lo, hi, max)),
          () -> outcome(() -> storage.entries(lo, hi, max)));
    }
  }

  /** The call's result, or the class of what it threw. */
  static Object outcome(Supplier<?> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return e.getClass();
    }
  }

  /** "ok", or the class of what {@code call} threw. */
  static Object run(Runnable call) {
    return outcome(
        () -> {
          call.run();
          return "ok";
        });
  }

  /** Asserts that the model and the storage had the same outcome. */
  static void same(String what, Supplier<Object> model, Supplier<Object> storage) {
    Object expected = model.get();
    Object actual = storage.get();
    assertThat(actual).as(what).isEqualTo(expected);
    Objects.requireNonNull(actual);
  }
}
