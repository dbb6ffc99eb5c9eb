package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import dev.raftboot.CompactedException;
import dev.raftboot.InitialState;
import dev.raftboot.RaftUtil;
import dev.raftboot.SnapOutOfDateException;
import dev.raftboot.UnavailableException;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference the randomised tests compare each {@link RaftStorage} with: a plain in-memory log
 * with the semantics of etcd's MemoryStorage, written for clarity and nothing else. {@code
 * log.get(0)} is the entry at the compaction point, whose index and term are all that is kept of it.
 */
final class LogModel {

  private List<Entry> log = new ArrayList<>(List.of(marker(0, 0)));
  private HardState hardState = HardState.getDefaultInstance();
  private Snapshot snapshot = Snapshot.getDefaultInstance();

  private static Entry marker(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  private long offset() {
    return log.get(0).getIndex();
  }

  long firstIndex() {
    return offset() + 1;
  }

  long lastIndex() {
    return offset() + log.size() - 1;
  }

  InitialState initialState() {
    return new InitialState(hardState, snapshot.getMetadata().getConfState());
  }

  Snapshot snapshot() {
    return snapshot;
  }

  long term(long i) {
    if (i < offset()) {
      throw CompactedException.INSTANCE;
    }
    if (i > lastIndex()) {
      throw UnavailableException.INSTANCE;
    }
    return log.get((int) (i - offset())).getTerm();
  }

  List<Entry> entries(long lo, long hi, long maxSize) {
    if (lo <= offset()) {
      throw CompactedException.INSTANCE;
    }
    if (hi > lastIndex() + 1 || log.size() == 1) {
      throw UnavailableException.INSTANCE;
    }
    if (lo > hi) {
      throw new IllegalArgumentException("lo > hi");
    }
    List<Entry> out = new ArrayList<>();
    long total = 0;
    for (long i = lo; i < hi; i++) {
      Entry e = log.get((int) (i - offset()));
      total += e.getSerializedSize();
      if (!out.isEmpty() && Long.compareUnsigned(total, maxSize) > 0) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  void save(HardState hs, List<Entry> entries, Snapshot snap) {
    // Work on copies so that a rejected save changes nothing, as a storage's save does.
    List<Entry> newLog = new ArrayList<>(log);
    Snapshot newSnapshot = snapshot;
    if (!RaftUtil.isEmptySnap(snap)) {
      if (snap.getMetadata().getIndex() <= snapshot.getMetadata().getIndex()) {
        throw SnapOutOfDateException.INSTANCE;
      }
      newSnapshot = snap;
      newLog =
          new ArrayList<>(
              List.of(marker(snap.getMetadata().getIndex(), snap.getMetadata().getTerm())));
    }
    newLog = appended(newLog, entries);
    log = newLog;
    snapshot = newSnapshot;
    if (!RaftUtil.isEmptyHardState(hs)) {
      hardState = hs;
    }
  }

  private static List<Entry> appended(List<Entry> current, List<Entry> entries) {
    if (entries.isEmpty()) {
      return current;
    }
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).getIndex() != entries.get(i - 1).getIndex() + 1) {
        throw new IllegalArgumentException("not contiguous");
      }
    }
    long offset = current.get(0).getIndex();
    long first = offset + 1;
    long last = entries.get(entries.size() - 1).getIndex();
    if (last < first) {
      return current;
    }
    List<Entry> incoming = entries;
    if (incoming.get(0).getIndex() < first) {
      incoming = incoming.subList((int) (first - incoming.get(0).getIndex()), incoming.size());
    }
    long at = incoming.get(0).getIndex() - offset;
    if (at > current.size()) {
      throw new IllegalArgumentException("gap");
    }
    List<Entry> result = new ArrayList<>(current.subList(0, (int) at));
    result.addAll(incoming);
    return result;
  }

  void compact(long index) {
    if (index <= offset()) {
      throw CompactedException.INSTANCE;
    }
    if (index > lastIndex()) {
      throw new IllegalArgumentException("beyond last index");
    }
    int at = (int) (index - offset());
    List<Entry> result = new ArrayList<>();
    result.add(marker(index, log.get(at).getTerm()));
    result.addAll(log.subList(at + 1, log.size()));
    log = result;
  }

  Snapshot createSnapshot(long index, ConfState cs, ByteString data) {
    if (index <= snapshot.getMetadata().getIndex()) {
      throw SnapOutOfDateException.INSTANCE;
    }
    if (index > lastIndex()) {
      throw new IllegalArgumentException("beyond last index");
    }
    if (index < offset()) {
      throw CompactedException.INSTANCE;
    }
    SnapshotMetadata.Builder meta =
        SnapshotMetadata.newBuilder()
            .setIndex(index)
            .setTerm(log.get((int) (index - offset())).getTerm());
    if (cs != null) {
      meta.setConfState(cs);
    } else if (snapshot.getMetadata().hasConfState()) {
      meta.setConfState(snapshot.getMetadata().getConfState());
    }
    Snapshot.Builder b = Snapshot.newBuilder().setMetadata(meta);
    if (data != null) {
      b.setData(data);
    }
    snapshot = b.build();
    return snapshot;
  }

  void applySnapshot(Snapshot snap) {
    if (snap.getMetadata().getIndex() <= snapshot.getMetadata().getIndex()) {
      throw SnapOutOfDateException.INSTANCE;
    }
    save(HardState.getDefaultInstance(), List.of(), snap);
  }
}
