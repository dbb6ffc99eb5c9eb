package dev.raftboot;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the log not yet known to be in stable storage: at most one incoming snapshot and the
 * entries after it (or after the stable log). Entries at or after {@code offsetInProgress} have not
 * been handed to the application for writing yet; those before it are being written.
 */
final class Unstable {

  private final Logger logger;
  Snapshot snapshot;
  final ArrayList<Entry> entries = new ArrayList<>();
  long offset;
  boolean snapshotInProgress;
  long offsetInProgress;

  Unstable(long offset, Logger logger) {
    this.offset = offset;
    this.offsetInProgress = offset;
    this.logger = logger;
  }

  /** The first index, if there is a snapshot; -1 otherwise. */
  long maybeFirstIndex() {
    return snapshot != null ? snapshot.getMetadata().getIndex() + 1 : -1;
  }

  /** The last index held here, or -1 if there is neither an entry nor a snapshot. */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot != null ? snapshot.getMetadata().getIndex() : -1;
  }

  /** The term of entry {@code i} if it is held here, or -1. */
  long maybeTerm(long i) {
    if (i < offset) {
      if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
        return snapshot.getMetadata().getTerm();
      }
      return -1;
    }
    long last = maybeLastIndex();
    if (last == -1 || i > last) {
      return -1;
    }
    return entries.get((int) (i - offset)).getTerm();
  }

  /** Entries not yet handed out for writing (a view; copy before keeping it). */
  List<Entry> nextEntries() {
    int inProgress = (int) (offsetInProgress - offset);
    if (entries.size() == inProgress) {
      return List.of();
    }
    return entries.subList(inProgress, entries.size());
  }

  /** The snapshot, if it has not been handed out for writing yet. */
  Snapshot nextSnapshot() {
    return snapshot == null || snapshotInProgress ? null : snapshot;
  }

  /** Marks everything held now as being written, so the next Ready does not repeat it. */
  void acceptInProgress() {
    if (!entries.isEmpty()) {
      offsetInProgress = entries.get(entries.size() - 1).getIndex() + 1;
    }
    if (snapshot != null) {
      snapshotInProgress = true;
    }
  }

  /**
   * Drops the entries up to {@code id} now that they are stable, unless the log changed under the
   * write (the entry was replaced in a later term or is covered by a newer snapshot).
   */
  void stableTo(EntryId id) {
    long gt = maybeTerm(id.index());
    if (gt == -1) {
      // An unstable snapshot restored after the write began may have dropped the entry.
      logger.info("entry at index %d missing from unstable log; ignoring", id.index());
      return;
    }
    if (id.index() < offset) {
      // The index matched the unstable snapshot, not an entry; the snapshot's own
      // stabilization (stableSnapTo) handles that.
      logger.info("entry at index %d matched unstable snapshot; ignoring", id.index());
      return;
    }
    if (gt != id.term()) {
      // The entry was overwritten by a newer leader after the write began; only the newer
      // append may mark it stable.
      logger.info(
          "entry at (index,term)=(%d,%d) mismatched with entry at (%d,%d) in unstable log; ignoring",
          id.index(), id.term(), id.index(), gt);
      return;
    }
    int num = (int) (id.index() + 1 - offset);
    entries.subList(0, num).clear();
    offset = id.index() + 1;
    offsetInProgress = Math.max(offsetInProgress, offset);
  }

  void stableSnapTo(long i) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
      snapshot = null;
      snapshotInProgress = false;
    }
  }

  void restore(Snapshot s) {
    offset = s.getMetadata().getIndex() + 1;
    offsetInProgress = offset;
    entries.clear();
    snapshot = s;
    snapshotInProgress = false;
  }

  void truncateAndAppend(List<Entry> ents) {
    long fromIndex = ents.get(0).getIndex();
    if (fromIndex == offset + entries.size()) {
      entries.addAll(ents);
    } else if (fromIndex <= offset) {
      // The new entries replace everything held here; any write in progress is superseded.
      logger.info("replace the unstable entries from index %d", fromIndex);
      entries.clear();
      entries.addAll(ents);
      offset = fromIndex;
      offsetInProgress = offset;
    } else {
      logger.info("truncate the unstable entries before index %d", fromIndex);
      mustCheckOutOfBounds(offset, fromIndex);
      entries.subList((int) (fromIndex - offset), entries.size()).clear();
      entries.addAll(ents);
      // Entries from fromIndex on must be written again, even if an older version was in flight.
      offsetInProgress = Math.min(offsetInProgress, fromIndex);
    }
  }

  /** A view of entries {@code [lo, hi)}; callers copy before the log changes. */
  List<Entry> slice(long lo, long hi) {
    mustCheckOutOfBounds(lo, hi);
    return entries.subList((int) (lo - offset), (int) (hi - offset));
  }

  private void mustCheckOutOfBounds(long lo, long hi) {
    if (lo > hi) {
      throw logger.panic("invalid unstable.slice %d > %d", lo, hi);
    }
    long upper = offset + entries.size();
    if (lo < offset || hi > upper) {
      throw logger.panic("unstable.slice[%d,%d) out of bound [%d,%d]", lo, hi, offset, upper);
    }
  }
}
