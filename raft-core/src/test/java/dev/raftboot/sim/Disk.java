package dev.raftboot.sim;

import com.google.protobuf.ByteString;
import dev.raftboot.MemoryStorage;
import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The disk of one simulated node: what survives a crash, and what survives a power loss.
 *
 * <p>Writes (hard state, snapshot, log entries, and the state machine's applied checkpoint: applied
 * index and the configuration at that index, as etcd keeps them in its backend) land in {@link
 * #storage} at once: that is the file as the running process and a clean crash see it, the page
 * cache included. They become durable only at {@link #sync}, which is what a power loss keeps
 * ({@link #losePower}): the synced state, plus none, a prefix, or a prefix torn inside its last
 * batch of entries, of the writes made since. Writes are kept in order, like a write-ahead log
 * whose unsynced tail is cut; a snapshot file and a hard state record are written whole or not at
 * all.
 *
 * <p>The disk can also be made to fail: a full disk refuses writes ({@link #full}), a sync can be
 * armed to fail once ({@link #failNextSync}), and a slow disk takes {@link #syncDelay} time units
 * per sync.
 *
 * <p>A restarted node never reads this object directly: it gets a fresh {@link MemoryStorage}
 * copied from it, just as a real node reloads its write-ahead log.
 */
final class Disk {

  /** The disk as written: what the running node reads, and what a clean crash keeps. */
  MemoryStorage storage = new MemoryStorage();
  /** The state machine's written applied index. */
  long ckptApplied;
  /** The configuration in effect at {@link #ckptApplied}. */
  ConfState ckptConf = ConfState.getDefaultInstance();

  /** What a power loss keeps: the state at the last sync. */
  private MemoryStorage synced = new MemoryStorage();
  private long syncedCkptApplied;
  private ConfState syncedCkptConf = ConfState.getDefaultInstance();
  /** The writes since the last sync, oldest first. */
  private final ArrayList<Write> unsynced = new ArrayList<>();

  /** Writes fail while the disk is full. */
  boolean full;
  /** The next sync fails (an I/O error on fsync). */
  boolean failNextSync;
  /** Time units one sync takes; 0 for a disk fast enough to sync within the step. */
  long syncDelay;

  /** One write since the last sync. */
  private sealed interface Write {}

  private record SnapWrite(Snapshot snap) implements Write {}

  private record EntriesWrite(List<Entry> ents) implements Write {}

  private record HardStateWrite(HardState hs) implements Write {}

  private record CkptWrite(long applied, ConfState conf) implements Write {}

  /** A write refused because the disk is full. */
  static final class DiskFullException extends RuntimeException {
    DiskFullException() {
      super("no space left on device", null, false, false);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // writes

  void writeSnapshot(Snapshot s) {
    checkSpace();
    storage.applySnapshot(s);
    unsynced.add(new SnapWrite(s));
  }

  void writeEntries(List<Entry> ents) {
    checkSpace();
    storage.append(ents);
    unsynced.add(new EntriesWrite(List.copyOf(ents)));
  }

  void writeHardState(HardState hs) {
    checkSpace();
    storage.setHardState(hs);
    unsynced.add(new HardStateWrite(hs));
  }

  /** Records the state machine's applied checkpoint; not refused by a full disk (it is tiny). */
  void writeCheckpoint(long applied, ConfState conf) {
    ckptApplied = applied;
    ckptConf = conf;
    unsynced.add(new CkptWrite(applied, conf));
  }

  private void checkSpace() {
    if (full) {
      throw new DiskFullException();
    }
  }

  /**
   * Makes every write so far durable; false when the sync failed (the writes since the last good
   * sync are then in an unknown state: the caller must stop the node without acknowledging them).
   */
  boolean sync() {
    if (failNextSync) {
      failNextSync = false;
      return false;
    }
    flush();
    return true;
  }

  private void flush() {
    for (Write w : unsynced) {
      replay(synced, w);
    }
    unsynced.clear();
  }

  private void replay(MemoryStorage to, Write w) {
    if (w instanceof SnapWrite s) {
      to.applySnapshot(s.snap());
    } else if (w instanceof EntriesWrite e) {
      to.append(e.ents());
    } else if (w instanceof HardStateWrite h) {
      to.setHardState(h.hs());
    } else if (w instanceof CkptWrite c) {
      syncedCkptApplied = c.applied();
      syncedCkptConf = c.conf();
    }
  }

  /**
   * An application snapshot at {@code applied} and the compaction behind it: the application
   * syncs its log first and writes the snapshot durably (a file written, synced and renamed), so a
   * power loss keeps it. Skipped while the disk is full (the application retries at its next
   * snapshot). Injected sync failures ({@link #failNextSync}) hit the log's syncs only.
   */
  boolean createSnapshot(long applied, ConfState conf, ByteString data, long compactTo) {
    if (full) {
      return false;
    }
    flush();
    for (MemoryStorage s : List.of(storage, synced)) {
      s.createSnapshot(applied, conf, data);
      if (compactTo > s.firstIndex() - 1) {
        s.compact(compactTo);
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // power loss

  /** How much of the unsynced tail a power loss kept. */
  enum Loss {
    /** Every write since the last sync is gone. */
    ALL,
    /** A random prefix of the writes since the last sync survived. */
    PREFIX,
    /** A random prefix survived, its last batch of entries cut in the middle. */
    TORN
  }

  /**
   * Cuts the disk back to what a power loss leaves: the synced state plus part of the writes since
   * (how much is chosen by {@code rnd}); returns a description for the trace. Everything that
   * survived is on the platter now, so it counts as synced.
   */
  String losePower(SplittableRandom rnd) {
    int writes = unsynced.size();
    Loss loss = writes == 0 ? Loss.ALL : Loss.values()[rnd.nextInt(3)];
    int keep = loss == Loss.ALL ? 0 : rnd.nextInt(writes + 1);
    String torn = "";
    if (loss == Loss.TORN) {
      // Cut the last entries batch within the kept prefix (or the one just after it).
      for (int i = Math.min(keep, writes - 1); i >= 0; i--) {
        if (unsynced.get(i) instanceof EntriesWrite e && e.ents().size() > 1) {
          int part = 1 + rnd.nextInt(e.ents().size() - 1);
          unsynced.set(i, new EntriesWrite(e.ents().subList(0, part)));
          keep = i + 1;
          torn = String.format(", entries batch %d torn after %d of %d", i + 1, part,
              e.ents().size());
          break;
        }
      }
    }
    for (int i = 0; i < keep; i++) {
      replay(synced, unsynced.get(i));
    }
    unsynced.clear();
    storage = copy(synced);
    ckptApplied = syncedCkptApplied;
    ckptConf = syncedCkptConf;
    return String.format("%s: kept %d of %d unsynced writes%s", loss, keep, writes, torn);
  }

  // ---------------------------------------------------------------------------------------------
  // reading

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
    return entry(storage, i);
  }

  private static Entry entry(MemoryStorage s, long i) {
    if (i < s.firstIndex() || i > s.lastIndex()) {
      return null;
    }
    return s.entries(i, i + 1, RaftUtil.NO_LIMIT).get(0);
  }

  /** All readable entries, oldest first. */
  List<Entry> entries() {
    return entries(storage);
  }

  private static List<Entry> entries(MemoryStorage s) {
    long lo = s.firstIndex();
    long hi = s.lastIndex() + 1;
    if (lo >= hi) {
      return List.of();
    }
    return s.entries(lo, hi, RaftUtil.NO_LIMIT);
  }

  /**
   * Whether this disk durably (synced, so a power loss keeps it) holds {@code e}: in its log, or
   * below its compaction point.
   */
  boolean holdsDurably(Entry e) {
    long i = e.getIndex();
    if (i < synced.firstIndex()) {
      return true;
    }
    Entry mine = entry(synced, i);
    return mine != null && mine.equals(e);
  }

  /**
   * Replaces the storage by a fresh copy of its contents, as a restarted process loads its disk,
   * and returns it; nothing of the crashed incarnation's objects is shared with the next one.
   */
  MemoryStorage reload() {
    storage = copy(storage);
    return storage;
  }

  private static MemoryStorage copy(MemoryStorage from) {
    MemoryStorage s = new MemoryStorage();
    if (from.snapshot().getMetadata().getIndex() > 0) {
      s.applySnapshot(from.snapshot());
    }
    List<Entry> ents = entries(from);
    if (!ents.isEmpty()) {
      s.append(ents);
    }
    s.setHardState(from.initialState().hardState());
    return s;
  }
}
