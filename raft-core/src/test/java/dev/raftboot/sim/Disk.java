package dev.raftboot.sim;

import dev.raftboot.MemoryStorage;
import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import java.util.List;

/**
 * The durable state of one simulated node: what survives a crash. It holds exactly what the node's
 * Readys (or, with asynchronous storage writes, the {@code MsgStorageAppend}s its append thread
 * finished) asked to persist: hard state, snapshot and log, kept in a {@link MemoryStorage} that
 * stands for the disk, plus the state machine's applied checkpoint (applied index and the
 * configuration at that index, as etcd keeps them in its backend).
 *
 * <p>A restarted node never reads this object directly: it gets a fresh {@link MemoryStorage}
 * copied from it, just as a real node reloads its write-ahead log.
 */
final class Disk {

  MemoryStorage storage = new MemoryStorage();
  /** The state machine's durable applied index. */
  long ckptApplied;
  /** The configuration in effect at {@link #ckptApplied}. */
  ConfState ckptConf = ConfState.getDefaultInstance();

  long snapIndex() {
    return storage.snapshot().getMetadata().getIndex();
  }

  /** The last compacted index: entries at or below it are covered by the snapshot. */
  long offset() {
    return storage.firstIndex() - 1;
  }

  long lastIndex() {
    return storage.lastIndex();
  }

  /** The entry at {@code i}, or null when it is compacted or beyond the end. */
  Entry entry(long i) {
    if (i <= offset() || i > storage.lastIndex()) {
      return null;
    }
    return storage.entries(i, i + 1, RaftUtil.NO_LIMIT).get(0);
  }

  /** All readable entries, oldest first. */
  List<Entry> entries() {
    long lo = storage.firstIndex();
    long hi = storage.lastIndex() + 1;
    if (lo >= hi) {
      return List.of();
    }
    return storage.entries(lo, hi, RaftUtil.NO_LIMIT);
  }

  /** Whether this disk durably holds {@code e}: in its log, or below its compaction point. */
  boolean holds(Entry e) {
    long i = e.getIndex();
    if (i <= offset()) {
      return true;
    }
    Entry mine = entry(i);
    return mine != null && mine.equals(e);
  }

  /**
   * Replaces the storage by a fresh copy of its contents, as a restarted process loads its disk,
   * and returns it; nothing of the crashed incarnation's objects is shared with the next one.
   */
  MemoryStorage reload() {
    MemoryStorage s = new MemoryStorage();
    if (snapIndex() > 0) {
      s.applySnapshot(storage.snapshot());
    }
    List<Entry> ents = entries();
    if (!ents.isEmpty()) {
      s.append(ents);
    }
    s.setHardState(storage.initialState().hardState());
    storage = s;
    return s;
  }
}
