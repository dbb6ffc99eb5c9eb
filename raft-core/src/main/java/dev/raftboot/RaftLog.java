package dev.raftboot;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The whole Raft log as one node sees it: the stable prefix in {@link Storage} followed by the
 * {@link Unstable} tail, with the commit, applying and applied positions.
 *
 * <p>Invariant: {@code applied <= applying <= committed <= lastIndex}.
 */
final class RaftLog {

  final Storage storage;
  final Unstable unstable;
  /** The highest index known to be stored on a quorum. */
  long committed;
  /** The highest index handed to the application for applying. */
  long applying;
  /** The highest index the application has applied. */
  long applied;
  final Logger logger;
  /** The apply quota: bytes of committed entries that may be out for applying at once. */
  final long maxApplyingEntsSize;
  long applyingEntsSize;
  boolean applyingEntsPaused;

  RaftLog(Storage storage, Logger logger, long maxApplyingEntsSize) {
    this.storage = storage;
    this.logger = logger;
    this.maxApplyingEntsSize = maxApplyingEntsSize;
    long firstIndex = storage.firstIndex();
    long lastIndex = storage.lastIndex();
    this.unstable = new Unstable(lastIndex + 1, logger);
    // Everything up to the last compaction was committed and applied before.
    this.committed = firstIndex - 1;
    this.applying = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  @Override
  public String toString() {
    return String.format(
        "committed=%d, applied=%d, applying=%d, unstable.offset=%d, "
            + "unstable.offsetInProgress=%d, len(unstable.Entries)=%d",
        committed, applied, applying, unstable.offset, unstable.offsetInProgress,
        unstable.entries.size());
  }

  /**
   * Appends the leader's entries that follow {@code prev} if our log matches at {@code prev}.
   *
   * @return the index of the last new entry, or -1 if the logs do not match at {@code prev}
   */
  long maybeAppend(EntryId prev, List<Entry> ents, long leaderCommit) {
    if (!matchTerm(prev)) {
      return -1;
    }
    long lastNewIndex = prev.index() + ents.size();
    long ci = findConflict(ents);
    if (ci != 0) {
      if (ci <= committed) {
        throw logger.panic("entry %d conflict with committed entry [committed(%d)]", ci, committed);
      }
      long offset = prev.index() + 1;
      append(ents.subList((int) (ci - offset), ents.size()));
    }
    commitTo(Math.min(leaderCommit, lastNewIndex));
    return lastNewIndex;
  }

  long append(List<Entry> ents) {
    if (ents.isEmpty()) {
      return lastIndex();
    }
    long after = ents.get(0).getIndex() - 1;
    if (after < committed) {
      throw logger.panic("after(%d) is out of range [committed(%d)]", after, committed);
    }
    unstable.truncateAndAppend(ents);
    return lastIndex();
  }

  /**
   * The index of the first entry in {@code ents} that is not in our log with the same term, or 0 if
   * all are present. A conflict with an existing entry is logged.
   */
  long findConflict(List<Entry> ents) {
    for (int i = 0; i < ents.size(); i++) {
      Entry e = ents.get(i);
      if (!matchTerm(new EntryId(e.getTerm(), e.getIndex()))) {
        if (e.getIndex() <= lastIndex()) {
          logger.info(
              "found conflict at index %d [existing term: %d, conflicting term: %d]",
              e.getIndex(), zeroTermOnOutOfBounds(e.getIndex()), e.getTerm());
        }
        return e.getIndex();
      }
    }
    return 0;
  }

  /**
   * The largest index at or below {@code index} whose term is at most {@code term}, with that term;
   * an index whose term cannot be read is returned with term 0 (a possible match). Used on both
   * sides of a rejected append to skip whole terms of a divergent tail.
   */
  EntryId findConflictByTerm(long index, long term) {
    for (; index > 0; index--) {
      long ourTerm;
      try {
        ourTerm = term(index);
      } catch (CompactedException | UnavailableException e) {
        return new EntryId(0, index);
      }
      if (ourTerm <= term) {
        return new EntryId(ourTerm, index);
      }
    }
    return new EntryId(0, 0);
  }

  List<Entry> nextUnstableEnts() {
    return unstable.nextEntries();
  }

  boolean hasNextUnstableEnts() {
    return !nextUnstableEnts().isEmpty();
  }

  boolean hasNextOrInProgressUnstableEnts() {
    return !unstable.entries.isEmpty();
  }

  /**
   * Whether committed entries can be handed out for applying. With {@code allowUnstable} false
   * (async storage writes) only entries already stable locally qualify.
   */
  boolean hasNextCommittedEnts(boolean allowUnstable) {
    if (applyingEntsPaused || hasNextOrInProgressSnapshot()) {
      // Apply the snapshot first, or wait for the application to catch up with the quota.
      return false;
    }
    return applying + 1 < maxAppliableIndex(allowUnstable) + 1;
  }

  List<Entry> nextCommittedEnts(boolean allowUnstable) {
    if (applyingEntsPaused || hasNextOrInProgressSnapshot()) {
      return List.of();
    }
    long lo = applying + 1;
    long hi = maxAppliableIndex(allowUnstable) + 1;
    if (lo >= hi) {
      return List.of();
    }
    long maxSize = maxApplyingEntsSize - applyingEntsSize;
    if (maxSize == 0) {
      throw logger.panic(
          "applying entry size (%d-%d)=%d not positive",
          maxApplyingEntsSize, applyingEntsSize, maxSize);
    }
    try {
      return slice(lo, hi, maxSize);
    } catch (CompactedException e) {
      throw logger.panic("unexpected error when getting unapplied entries (%s)", e.getMessage());
    }
  }

  long maxAppliableIndex(boolean allowUnstable) {
    long hi = committed;
    if (!allowUnstable) {
      hi = Math.min(hi, unstable.offset - 1);
    }
    return hi;
  }

  Snapshot nextUnstableSnapshot() {
    return unstable.nextSnapshot();
  }

  boolean hasNextUnstableSnapshot() {
    return unstable.nextSnapshot() != null;
  }

  boolean hasNextOrInProgressSnapshot() {
    return unstable.snapshot != null;
  }

  /** @throws SnapshotTemporarilyUnavailableException when storage is still building one */
  Snapshot snapshot() {
    if (unstable.snapshot != null) {
      return unstable.snapshot;
    }
    return storage.snapshot();
  }

  long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i != -1 ? i : storage.firstIndex();
  }

  long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i != -1 ? i : storage.lastIndex();
  }

  void commitTo(long toCommit) {
    if (committed < toCommit) {
      if (lastIndex() < toCommit) {
        throw logger.panic(
            "tocommit(%d) is out of range [lastIndex(%d)]. "
                + "Was the raft log corrupted, truncated, or lost?",
            toCommit, lastIndex());
      }
      committed = toCommit;
    }
  }

  void appliedTo(long i, long size) {
    if (committed < i || i < applied) {
      throw logger.panic(
          "applied(%d) is out of range [prevApplied(%d), committed(%d)]", i, applied, committed);
    }
    applied = i;
    applying = Math.max(applying, i);
    applyingEntsSize = Long.compareUnsigned(applyingEntsSize, size) > 0 ? applyingEntsSize - size : 0;
    applyingEntsPaused = Long.compareUnsigned(applyingEntsSize, maxApplyingEntsSize) >= 0;
  }

  void acceptApplying(long i, long size, boolean allowUnstable) {
    if (committed < i) {
      throw logger.panic(
          "applying(%d) is out of range [prevApplying(%d), committed(%d)]", i, applying, committed);
    }
    applying = i;
    applyingEntsSize += size;
    // Pause when the quota is used up, or when the quota cut the batch short: the next entry
    // would not fit until some of this batch is applied.
    applyingEntsPaused =
        Long.compareUnsigned(applyingEntsSize, maxApplyingEntsSize) >= 0
            || i < maxAppliableIndex(allowUnstable);
  }

  void stableTo(EntryId id) {
    unstable.stableTo(id);
  }

  void stableSnapTo(long i) {
    unstable.stableSnapTo(i);
  }

  void acceptUnstable() {
    unstable.acceptInProgress();
  }

  EntryId lastEntryId() {
    long index = lastIndex();
    try {
      return new EntryId(term(index), index);
    } catch (CompactedException | UnavailableException e) {
      throw logger.panic(
          "unexpected error when getting the last term at %d: %s", index, e.getMessage());
    }
  }

  /**
   * The term of entry {@code i}, valid in {@code [firstIndex-1, lastIndex]}.
   *
   * @throws CompactedException below that range
   * @throws UnavailableException above it
   */
  long term(long i) {
    // The unstable tail answers without touching storage, and its hits are always in range.
    long t = unstable.maybeTerm(i);
    if (t != -1) {
      return t;
    }
    if (i + 1 < firstIndex()) {
      throw CompactedException.INSTANCE;
    }
    if (i > lastIndex()) {
      throw UnavailableException.INSTANCE;
    }
    return storage.term(i);
  }

  /** The term of {@code i}, or 0 when it is outside the log. */
  long zeroTermOnOutOfBounds(long i) {
    try {
      return term(i);
    } catch (CompactedException | UnavailableException e) {
      return 0;
    }
  }

  /** Entries from {@code i} to the end, within {@code maxSize}. */
  List<Entry> entries(long i, long maxSize) {
    if (i > lastIndex()) {
      return List.of();
    }
    return slice(i, lastIndex() + 1, maxSize);
  }

  List<Entry> allEntries() {
    while (true) {
      try {
        return entries(firstIndex(), RaftUtil.NO_LIMIT);
      } catch (CompactedException e) {
        // Compaction raced with the read; try again from the new first index.
      }
    }
  }

  /** Whether a log ending at {@code their} is at least as up to date as ours (paper 5.4.1). */
  boolean isUpToDate(EntryId their) {
    EntryId our = lastEntryId();
    return their.term() > our.term() || (their.term() == our.term() && their.index() >= our.index());
  }

  boolean matchTerm(EntryId id) {
    try {
      return term(id.index()) == id.term();
    } catch (CompactedException | UnavailableException e) {
      return false;
    }
  }

  /**
   * Commits up to {@code at} if that entry is in our log with the given term. Only entries of the
   * leader's own term are committed by counting (paper 5.4.2), so {@code at.term} is the leader's.
   */
  boolean maybeCommit(EntryId at) {
    if (at.term() != 0 && at.index() > committed && matchTerm(at)) {
      commitTo(at.index());
      return true;
    }
    return false;
  }

  void restore(Snapshot s) {
    logger.info(
        "log [%s] starts to restore snapshot [index: %d, term: %d]",
        this, s.getMetadata().getIndex(), s.getMetadata().getTerm());
    committed = s.getMetadata().getIndex();
    unstable.restore(s);
  }

  /**
   * Visits entries {@code [lo, hi)} in pages of at most {@code pageSize} bytes (at least one entry
   * each) until {@code visitor} returns true.
   *
   * @return whether the visitor stopped the scan
   */
  boolean scan(long lo, long hi, long pageSize, Predicate<List<Entry>> visitor) {
    while (lo < hi) {
      List<Entry> ents = slice(lo, hi, pageSize);
      if (ents.isEmpty()) {
        throw logger.panic("got 0 entries in [%d, %d)", lo, hi);
      }
      if (visitor.test(ents)) {
        return true;
      }
      lo += ents.size();
    }
    return false;
  }

  /**
   * Entries {@code [lo, hi)} within {@code maxSize} (at least one), as an unmodifiable list that
   * later log changes do not affect.
   *
   * @throws CompactedException if {@code lo} is compacted
   */
  List<Entry> slice(long lo, long hi, long maxSize) {
    mustCheckOutOfBounds(lo, hi);
    if (lo == hi) {
      return List.of();
    }
    if (lo >= unstable.offset) {
      return List.copyOf(Entries.limitSize(unstable.slice(lo, hi), maxSize));
    }
    long cut = Math.min(hi, unstable.offset);
    List<Entry> ents;
    try {
      ents = storage.entries(lo, cut, maxSize);
    } catch (UnavailableException e) {
      throw logger.panic("entries[%d:%d) is unavailable from storage", lo, cut);
    }
    if (hi <= unstable.offset) {
      return ents;
    }
    // Storage stopped early: the size limit was reached.
    if (ents.size() < cut - lo) {
      return ents;
    }
    long size = Entries.size(ents);
    if (Long.compareUnsigned(size, maxSize) >= 0) {
      return ents;
    }
    List<Entry> tail = Entries.limitSize(unstable.slice(unstable.offset, hi), maxSize - size);
    // limitSize keeps one entry even when it alone is over the remaining budget; drop it here,
    // since the storage part already made progress.
    if (tail.size() == 1 && Long.compareUnsigned(size + Entries.size(tail), maxSize) > 0) {
      return ents;
    }
    List<Entry> out = new ArrayList<>(ents.size() + tail.size());
    out.addAll(ents);
    out.addAll(tail);
    return java.util.Collections.unmodifiableList(out);
  }

  private void mustCheckOutOfBounds(long lo, long hi) {
    if (lo > hi) {
      throw logger.panic("invalid slice %d > %d", lo, hi);
    }
    long fi = firstIndex();
    if (lo < fi) {
      throw CompactedException.INSTANCE;
    }
    long last = lastIndex();
    if (hi > last + 1) {
      throw logger.panic("slice[%d,%d) out of bound [%d,%d]", lo, hi, fi, last);
    }
  }
}
