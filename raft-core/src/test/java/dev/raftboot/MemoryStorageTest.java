package dev.raftboot;

import static dev.raftboot.RaftTestKit.bytes;
import static dev.raftboot.RaftTestKit.entries;
import static dev.raftboot.RaftTestKit.entry;
import static dev.raftboot.RaftTestKit.hardState;
import static dev.raftboot.RaftTestKit.ids;
import static dev.raftboot.RaftTestKit.snapshot;
import static dev.raftboot.RaftTestKit.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The in-memory Storage: the compaction point (its index and term are kept as a dummy entry),
 * reads within bounds, appends that overwrite a suffix, compaction and snapshots. A randomized
 * property test checks random operation sequences against a simple model.
 */
class MemoryStorageTest {

  /** A storage compacted at (3, 3) holding 4/4 and 5/5. */
  private static MemoryStorage storage345() {
    MemoryStorage s = new MemoryStorage();
    s.append(entries(1, 1, 2, 3, 4, 5));
    s.compact(3);
    return s;
  }

  private static List<Entry> parse(String spec) {
    List<Entry> out = new ArrayList<>();
    for (String e : spec.trim().split(" ")) {
      String[] p = e.split("/");
      out.add(entry(Long.parseLong(p[0]), Long.parseLong(p[1])));
    }
    return out;
  }

  private static List<Entry> all(MemoryStorage s) {
    if (s.lastIndex() < s.firstIndex()) {
      return List.of();
    }
    return s.entries(s.firstIndex(), s.lastIndex() + 1, RaftUtil.NO_LIMIT);
  }

  @Test
  void emptyStorage() {
    MemoryStorage s = new MemoryStorage();
    assertThat(s.firstIndex()).isEqualTo(1);
    assertThat(s.lastIndex()).isZero();
    assertThat(s.term(0)).isZero();
    assertThatThrownBy(() -> s.term(1)).isInstanceOf(UnavailableException.class);
    assertThat(s.snapshot().getMetadata().getIndex()).isZero();
    assertThat(s.initialState().hardState()).isEqualTo(dev.raftboot.raftpb.HardState.getDefaultInstance());
  }

  /** The compaction point's term is retained; below it is compacted, above the end unavailable. */
  @ParameterizedTest(name = "term({0})")
  @CsvSource({"2, -1", "3, 3", "4, 4", "5, 5", "6, -2"})
  void term(long i, long want) {
    MemoryStorage s = storage345();
    if (want == -1) {
      assertThatThrownBy(() -> s.term(i)).isInstanceOf(CompactedException.class);
    } else if (want == -2) {
      assertThatThrownBy(() -> s.term(i)).isInstanceOf(UnavailableException.class);
    } else {
      assertThat(s.term(i)).isEqualTo(want);
    }
  }

  @Test
  void bounds() {
    MemoryStorage s = storage345();
    assertThat(s.firstIndex()).isEqualTo(4);
    assertThat(s.lastIndex()).isEqualTo(5);
    s.append(entries(6, 5));
    assertThat(s.lastIndex()).isEqualTo(6);
    s.compact(4);
    assertThat(s.firstIndex()).isEqualTo(5);
  }

  /**
   * Reads of [lo, hi) within a byte limit (entries of 4 bytes), at least one entry; reading at or
   * below the compaction point fails, as does reading beyond the end.
   */
  @ParameterizedTest(name = "[{0},{1}) within {2} -> {3}")
  @CsvSource({
    "2, 6, -1, compacted",
    "3, 4, -1, compacted",
    "4, 5, -1, '4/4'",
    "4, 6, -1, '4/4 5/5'",
    "4, 6, 0, '4/4'",
    "4, 6, 4, '4/4'",
    "4, 6, 7, '4/4'",
    "4, 6, 8, '4/4 5/5'",
    "5, 6, 0, '5/5'",
    "4, 7, -1, bound",
  })
  void entriesWithinBounds(long lo, long hi, long max, String want) {
    MemoryStorage s = storage345();
    switch (want) {
      case "compacted" -> assertThatThrownBy(() -> s.entries(lo, hi, max))
          .isInstanceOf(CompactedException.class);
      case "bound" -> assertThatThrownBy(() -> s.entries(lo, hi, max))
          .isInstanceOf(IllegalStateException.class);
      default -> assertThat(String.join(" ", ids(s.entries(lo, hi, max)))).isEqualTo(want);
    }
  }

  /** A storage holding only the compaction point has no entries to give. */
  @Test
  void entriesOfSnapshotOnlyStorageAreUnavailable() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snapshot(5, 2, voters(1)));
    assertThatThrownBy(() -> s.entries(6, 6, RaftUtil.NO_LIMIT))
        .isInstanceOf(UnavailableException.class);
    assertThat(s.term(5)).isEqualTo(2);
    assertThat(s.firstIndex()).isEqualTo(6);
    assertThat(s.lastIndex()).isEqualTo(5);
  }

  /**
   * Compaction to an index makes it the new compaction point (keeping its term); compacting at or
   * below the current point fails, beyond the end is a bug.
   */
  @ParameterizedTest(name = "compact({0})")
  @CsvSource({"2, compacted", "3, compacted", "4, '5/5'", "5, ''", "6, bound"})
  void compact(long i, String want) {
    MemoryStorage s = storage345();
    switch (want) {
      case "compacted" -> assertThatThrownBy(() -> s.compact(i))
          .isInstanceOf(CompactedException.class);
      case "bound" -> assertThatThrownBy(() -> s.compact(i))
          .isInstanceOf(IllegalStateException.class);
      default -> {
        s.compact(i);
        assertThat(s.firstIndex()).isEqualTo(i + 1);
        assertThat(s.term(i)).isEqualTo(i);
        assertThat(String.join(" ", ids(all(s)))).isEqualTo(want);
      }
    }
  }

  /**
   * Appends overwrite from their first index on; entries at or below the compaction point are
   * skipped; a gap after the last index is refused.
   */
  @ParameterizedTest(name = "append {0} -> {1}")
  @CsvSource({
    "'1/1 2/2', '4/4 5/5'",
    "'3/3 4/4 5/5', '4/4 5/5'",
    "'3/3 4/6 5/6', '4/6 5/6'",
    "'3/3 4/4 5/5 6/5', '4/4 5/5 6/5'",
    "'2/3 3/3 4/5', '4/5'",
    "'4/5', '4/5'",
    "'5/6', '4/4 5/6'",
    "'6/5', '4/4 5/5 6/5'",
    "'7/5', gap",
  })
  void append(String ents, String want) {
    MemoryStorage s = storage345();
    if (want.equals("gap")) {
      assertThatThrownBy(() -> s.append(parse(ents))).isInstanceOf(IllegalStateException.class);
      assertThat(s.lastIndex()).isEqualTo(5);
      return;
    }
    s.append(parse(ents));
    assertThat(String.join(" ", ids(all(s)))).isEqualTo(want);
    assertThat(s.term(3)).isEqualTo(3);
  }

  /**
   * A snapshot records index, term (read from the log) and configuration, replacing an older one;
   * it must be newer than the last and within the log.
   */
  @Test
  void createSnapshot() {
    MemoryStorage s = storage345();
    ConfState cs = voters(1, 2, 3);
    Snapshot snap = s.createSnapshot(4, cs, bytes("data"));
    assertThat(snap.getMetadata().getIndex()).isEqualTo(4);
    assertThat(snap.getMetadata().getTerm()).isEqualTo(4);
    assertThat(snap.getMetadata().getConfState()).isEqualTo(cs);
    assertThat(snap.getData()).isEqualTo(bytes("data"));
    assertThat(s.snapshot()).isEqualTo(snap);
    // Without a new configuration the previous one is kept.
    Snapshot next = s.createSnapshot(5, null, bytes("more"));
    assertThat(next.getMetadata().getConfState()).isEqualTo(cs);
    assertThat(next.getMetadata().getTerm()).isEqualTo(5);
    assertThatThrownBy(() -> s.createSnapshot(5, cs, bytes("")))
        .isInstanceOf(SnapOutOfDateException.class);
    assertThatThrownBy(() -> s.createSnapshot(4, cs, bytes("")))
        .isInstanceOf(SnapOutOfDateException.class);
    assertThatThrownBy(() -> s.createSnapshot(6, cs, bytes("")))
        .isInstanceOf(IllegalStateException.class);
    // Creating a snapshot does not compact.
    assertThat(s.firstIndex()).isEqualTo(4);
  }

  /** Applying a snapshot replaces everything; an older or equal one is refused. */
  @Test
  void applySnapshot() {
    MemoryStorage s = new MemoryStorage();
    s.append(entries(1, 1, 1, 2));
    Snapshot snap = snapshot(4, 4, voters(1, 2));
    s.applySnapshot(snap);
    assertThat(s.snapshot()).isEqualTo(snap);
    assertThat(s.firstIndex()).isEqualTo(5);
    assertThat(s.lastIndex()).isEqualTo(4);
    assertThat(s.term(4)).isEqualTo(4);
    assertThat(s.initialState().confState()).isEqualTo(voters(1, 2));
    assertThatThrownBy(() -> s.applySnapshot(snapshot(3, 3, voters(1))))
        .isInstanceOf(SnapOutOfDateException.class);
    assertThatThrownBy(() -> s.applySnapshot(snapshot(4, 4, voters(1))))
        .isInstanceOf(SnapOutOfDateException.class);
    // A newer snapshot may move the log forward past its end.
    s.applySnapshot(snapshot(6, 5, voters(1)));
    assertThat(s.lastIndex()).isEqualTo(6);
    assertThat(s.term(6)).isEqualTo(5);
  }

  @Test
  void hardStateIsReturnedByInitialState() {
    MemoryStorage s = new MemoryStorage();
    s.setHardState(hardState(3, 2, 1));
    assertThat(s.initialState().hardState()).isEqualTo(hardState(3, 2, 1));
  }

  // --- randomized model check -------------------------------------------------------------------

  /** One storage operation; parameters are relative, resolved against the current state. */
  sealed interface Op {}

  /** Append {@code count} entries of {@code term} starting {@code back} entries before the end. */
  record Append(int back, int count, long term) implements Op {}

  /** Compact at {@code back} entries before the last index (-1: one past the end). */
  record Compact(int back) implements Op {}

  /** Create a snapshot at {@code back} entries before the last index. */
  record Create(int back) implements Op {}

  /** Apply a snapshot {@code ahead} indexes after the current snapshot's index. */
  record Apply(int ahead, long term) implements Op {}

  /** A random sequence of 1 to 40 operations, appends most often. */
  static List<Op> operations(java.util.SplittableRandom r) {
    List<Op> ops = new ArrayList<>();
    for (int n = r.nextInt(1, 41); n > 0; n--) {
      int pick = r.nextInt(10);
      if (pick < 5) {
        ops.add(new Append(r.nextInt(0, 7), r.nextInt(1, 5), r.nextLong(1, 10)));
      } else if (pick < 7) {
        ops.add(new Compact(r.nextInt(-1, 7)));
      } else if (pick < 9) {
        ops.add(new Create(r.nextInt(-1, 7)));
      } else {
        ops.add(new Apply(r.nextInt(-2, 13), r.nextLong(1, 10)));
      }
    }
    return ops;
  }

  /**
   * The model: the compaction point (index, term), the terms of the entries after it, and the
   * snapshot (index, term).
   */
  private static final class Model {
    long dummyIndex;
    long dummyTerm;
    final List<Long> terms = new ArrayList<>();
    long snapIndex;
    long snapTerm;

    long last() {
      return dummyIndex + terms.size();
    }

    long term(long i) {
      return i == dummyIndex ? dummyTerm : terms.get((int) (i - dummyIndex - 1));
    }
  }

  /**
   * Random sequences of append, compact, createSnapshot and applySnapshot behave like the model:
   * the same bounds, the term of firstIndex-1 retained, entries contiguous with the model's terms,
   * out-of-range reads failing the documented way, and snapshots only ever moving forward.
   */
  @Test
  void behavesLikeTheModel() {
    for (int seed = 0; seed < 300; seed++) {
      List<Op> ops = operations(new java.util.SplittableRandom(seed));
      try {
        behavesLikeTheModel(ops);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + ops, e);
      }
    }
  }

  private static void behavesLikeTheModel(List<Op> ops) {
    MemoryStorage s = new MemoryStorage();
    Model m = new Model();
    for (Op op : ops) {
      if (op instanceof Append a) {
        long from = Math.max(1, m.last() + 1 - a.back());
        List<Entry> ents = new ArrayList<>();
        for (int i = 0; i < a.count(); i++) {
          ents.add(entry(from + i, a.term()));
        }
        s.append(ents);
        long lastNew = from + a.count() - 1;
        if (lastNew > m.dummyIndex) {
          long start = Math.max(from, m.dummyIndex + 1);
          while (m.last() >= start) {
            m.terms.remove(m.terms.size() - 1);
          }
          for (long i = start; i <= lastNew; i++) {
            m.terms.add(a.term());
          }
        }
      } else if (op instanceof Compact c) {
        long i = m.last() - c.back();
        if (i <= m.dummyIndex) {
          assertThatThrownBy(() -> s.compact(i)).isInstanceOf(CompactedException.class);
        } else if (i > m.last()) {
          assertThatThrownBy(() -> s.compact(i)).isInstanceOf(IllegalStateException.class);
        } else {
          s.compact(i);
          long t = m.term(i);
          m.terms.subList(0, (int) (i - m.dummyIndex)).clear();
          m.dummyIndex = i;
          m.dummyTerm = t;
        }
      } else if (op instanceof Create c) {
        long i = m.last() - c.back();
        if (i <= m.snapIndex) {
          assertThatThrownBy(() -> s.createSnapshot(i, null, bytes("")))
              .isInstanceOf(SnapOutOfDateException.class);
        } else if (i > m.last()) {
          assertThatThrownBy(() -> s.createSnapshot(i, null, bytes("")))
              .isInstanceOf(IllegalStateException.class);
        } else if (i >= m.dummyIndex) {
          Snapshot snap = s.createSnapshot(i, voters(1), bytes("d" + i));
          assertThat(snap.getMetadata().getTerm()).isEqualTo(m.term(i));
          m.snapIndex = i;
          m.snapTerm = m.term(i);
        }
        // Below the compaction point (but newer than the snapshot) is a caller error not
        // exercised here: the application snapshots before it compacts.
      } else if (op instanceof Apply a) {
        long index = m.snapIndex + a.ahead();
        Snapshot snap = snapshot(index, a.term(), voters(1));
        if (index <= m.snapIndex) {
          assertThatThrownBy(() -> s.applySnapshot(snap))
              .isInstanceOf(SnapOutOfDateException.class);
        } else {
          s.applySnapshot(snap);
          m.dummyIndex = index;
          m.dummyTerm = a.term();
          m.terms.clear();
          m.snapIndex = index;
          m.snapTerm = a.term();
        }
      }
      checkInvariants(s, m);
    }
  }

  private static void checkInvariants(MemoryStorage s, Model m) {
    assertThat(s.firstIndex()).isEqualTo(m.dummyIndex + 1);
    assertThat(s.lastIndex()).isEqualTo(m.last());
    // The term of firstIndex-1 is retained.
    assertThat(s.term(s.firstIndex() - 1)).isEqualTo(m.dummyTerm);
    for (long i = m.dummyIndex; i <= m.last(); i++) {
      assertThat(s.term(i)).isEqualTo(m.term(i));
    }
    if (m.dummyIndex > 0) {
      assertThatThrownBy(() -> s.term(m.dummyIndex - 1)).isInstanceOf(CompactedException.class);
    }
    assertThatThrownBy(() -> s.term(m.last() + 1)).isInstanceOf(UnavailableException.class);
    if (m.last() > m.dummyIndex) {
      List<Entry> ents = s.entries(m.dummyIndex + 1, m.last() + 1, RaftUtil.NO_LIMIT);
      assertThat(ents).hasSize(m.terms.size());
      for (int k = 0; k < ents.size(); k++) {
        assertThat(ents.get(k).getIndex()).isEqualTo(m.dummyIndex + 1 + k);
        assertThat(ents.get(k).getTerm()).isEqualTo(m.terms.get(k));
      }
      // A size-limited read is a non-empty prefix.
      List<Entry> one = s.entries(m.dummyIndex + 1, m.last() + 1, 0);
      assertThat(one).hasSize(1);
      assertThat(one.get(0)).isEqualTo(ents.get(0));
    }
    assertThat(s.snapshot().getMetadata().getIndex()).isEqualTo(m.snapIndex);
    assertThat(s.snapshot().getMetadata().getTerm()).isEqualTo(m.snapTerm);
  }
}
