package dev.raftboot;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Storage} held in memory, for tests and for applications that keep their own durable
 * copy. All methods are synchronized, so the application may write while Raft reads. Nothing
 * survives the process: a node restarted on a new instance has lost its term, vote and log, which
 * is only safe if it rejoins as a new member.
 *
 * <p>The first element of the entry list is a dummy that records the index and term of the last
 * compacted entry (or the snapshot), so that the term of {@code firstIndex() - 1} stays known.
 */
public final class MemoryStorage implements Storage {

  private HardState hardState = HardState.getDefaultInstance();
  private Snapshot snapshot = Snapshot.getDefaultInstance();
  // ents.get(i) has log position i + snapshot index; ents.get(0) is the dummy.
  private ArrayList<Entry> ents = new ArrayList<>();

  /** An empty storage: no entries, an empty hard state and snapshot, for a node never started. */
  public MemoryStorage() {
    ents.add(Entry.getDefaultInstance());
  }

  @Override
  public synchronized InitialState initialState() {
    return new InitialState(hardState, snapshot.getMetadata().getConfState());
  }

  /** Saves the hard state of a Ready; {@link #initialState()} returns it from then on. */
  public synchronized void setHardState(HardState hs) {
    hardState = hs;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here {@code hi} beyond {@code lastIndex() + 1} is a caller bug and fails with {@link
   * IllegalStateException}; {@link UnavailableException} means the log holds no entries at all.
   */
  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxSize) {
    long offset = ents.get(0).getIndex();
    if (lo <= offset) {
      throw CompactedException.INSTANCE;
    }
    if (hi > lastIndexLocked() + 1) {
      throw new IllegalStateException(
          String.format("entries' hi(%d) is out of bound lastindex(%d)", hi, lastIndexLocked()));
    }
    if (ents.size() == 1) {
      throw UnavailableException.INSTANCE;
    }
    return List.copyOf(
        Entries.limitSize(ents.subList((int) (lo - offset), (int) (hi - offset)), maxSize));
  }

  @Override
  public synchronized long term(long i) {
    long offset = ents.get(0).getIndex();
    if (i < offset) {
      throw CompactedException.INSTANCE;
    }
    if (i - offset >= ents.size()) {
      throw UnavailableException.INSTANCE;
    }
    return ents.get((int) (i - offset)).getTerm();
  }

  @Override
  public synchronized long lastIndex() {
    return lastIndexLocked();
  }

  private long lastIndexLocked() {
    return ents.get(0).getIndex() + ents.size() - 1;
  }

  @Override
  public synchronized long firstIndex() {
    return ents.get(0).getIndex() + 1;
  }

  @Override
  public synchronized Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Replaces the whole contents with {@code snap}.
   *
   * @throws SnapOutOfDateException if it is not newer than the current snapshot
   */
  public synchronized void applySnapshot(Snapshot snap) {
    if (snapshot.getMetadata().getIndex() >= snap.getMetadata().getIndex()) {
      throw SnapOutOfDateException.INSTANCE;
    }
    snapshot = snap;
    ents = new ArrayList<>();
    ents.add(dummy(snap.getMetadata().getIndex(), snap.getMetadata().getTerm()));
  }

  /**
   * Records a snapshot of the state at applied index {@code i}; {@code cs} (if not null) is the
   * configuration at that index. Use it with {@link #compact} to bound the log.
   *
   * @throws SnapOutOfDateException if {@code i} is not newer than the current snapshot
   */
  public synchronized Snapshot createSnapshot(long i, ConfState cs, ByteString data) {
    if (i <= snapshot.getMetadata().getIndex()) {
      throw SnapOutOfDateException.INSTANCE;
    }
    long offset = ents.get(0).getIndex();
    if (i > lastIndexLocked()) {
      throw new IllegalStateException(
          String.format("snapshot %d is out of bound lastindex(%d)", i, lastIndexLocked()));
    }
    SnapshotMetadata.Builder md =
        snapshot.getMetadata().toBuilder().setIndex(i).setTerm(ents.get((int) (i - offset)).getTerm());
    if (cs != null) {
      md.setConfState(cs);
    }
    snapshot = Snapshot.newBuilder().setMetadata(md).setData(data).build();
    return snapshot;
  }

  /**
   * Discards entries up to and including {@code compactIndex}, which becomes the dummy. The
   * application must not compact past its applied index.
   *
   * @throws CompactedException if {@code compactIndex} is already compacted
   */
  public synchronized void compact(long compactIndex) {
    long offset = ents.get(0).getIndex();
    if (compactIndex <= offset) {
      throw CompactedException.INSTANCE;
    }
    if (compactIndex > lastIndexLocked()) {
      throw new IllegalStateException(
          String.format("compact %d is out of bound lastindex(%d)", compactIndex, lastIndexLocked()));
    }
    int i = (int) (compactIndex - offset);
    ArrayList<Entry> kept = new ArrayList<>(ents.size() - i);
    kept.add(dummy(ents.get(i).getIndex(), ents.get(i).getTerm()));
    kept.addAll(ents.subList(i + 1, ents.size()));
    ents = kept;
  }

  /**
   * Appends entries, replacing any existing suffix from the first new index on. Entries that are
   * already compacted are skipped.
   *
   * @throws IllegalStateException if the entries would leave a gap after the last index
   */
  public synchronized void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = ents.get(0).getIndex() + 1;
    long last = entries.get(0).getIndex() + entries.size() - 1;
    if (last < first) {
      return;
    }
    if (first > entries.get(0).getIndex()) {
      entries = entries.subList((int) (first - entries.get(0).getIndex()), entries.size());
    }
    long offset = entries.get(0).getIndex() - ents.get(0).getIndex();
    if (ents.size() > offset) {
      ents.subList((int) offset, ents.size()).clear();
      ents.addAll(entries);
    } else if (ents.size() == offset) {
      ents.addAll(entries);
    } else {
      throw new IllegalStateException(
          String.format(
              "missing log entry [last: %d, append at: %d]",
              lastIndexLocked(), entries.get(0).getIndex()));
    }
  }

  private static Entry dummy(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }
}
