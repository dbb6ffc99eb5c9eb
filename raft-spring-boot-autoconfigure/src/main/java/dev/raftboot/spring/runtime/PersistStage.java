package dev.raftboot.spring.runtime;

import dev.raftboot.RaftException;
import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.transport.RaftTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persist stage: the thread {@code raft-persist-<id>} that does every storage write, so the raft
 * loop never waits for the disk (Raft thesis 10.2.1). raft-core runs with asynchronous storage
 * writes: each Ready carries a {@code MsgStorageAppend} (entries, hard state, snapshot, and the
 * responses that promise them), which the loop hands over as a {@link PersistInput.Append}.
 *
 * <p>Group commit: everything queued while the previous write ran becomes one storage transaction
 * with at most one sync, applied in order (a later append replaces the entries of an earlier one
 * from its first index on). Only then are the responses delivered, in order: the self-addressed
 * ones (this node's own acknowledgements and votes, the {@code MsgStorageAppendResp}s) back to the
 * loop as one {@link LoopInput.Persisted}, the others (a follower's {@code MsgAppResp}, votes) to
 * the transport. So a node never promises what is not durable, and a leader counts its own entries
 * only once they are. A snapshot of the leader is handed to the apply loop once stored, before its
 * response. Storing the apply thread's snapshots and compacting happen here too, ordered with the
 * appends.
 *
 * <p>A group that only moves the commit index is not written at once: its hard state waits for
 * the next write (entries, a term or vote, a snapshot of the apply thread) or the stop, and goes
 * in that transaction. The commit index needs no durability (etcd writes it without a sync, and
 * raft learns it again from the leader after a restart); one storage transaction fewer per
 * command at low concurrency is what this buys, a round trip each on PostgreSQL and MariaDB. It
 * is written before a snapshot is stored, so the stored commit index never falls below the
 * stored snapshot's (raft refuses to start from such a state).
 *
 * <p>A write that fails stops the node through {@link #writeFailed}: nothing of that write is
 * promised.
 */
final class PersistStage {

  private static final Logger log = LoggerFactory.getLogger(PersistStage.class);

  private final BlockingQueue<PersistInput> queue = new LinkedBlockingQueue<>();
  private final long nodeId;
  private final RaftStorage storage;
  private final RaftTransport transport;
  private final NodeState state;
  private final NodeMetrics metrics;
  private final LoopInbox inbox;
  private final ApplyLoop apply;
  private final long snapshotKeepEntries;
  /** The hard state last written; a write that changes its term or vote must be synced. */
  private HardState written;
  /** A hard state that only moved the commit index past {@link #written}, not yet written. */
  private HardState unwritten;
  /**
   * The last {@code MsgStorageAppendResp} handed to the loop, by any group. A write without
   * entries of its own (only the commit index moved) repeats the response of the write still in
   * progress; once that one was released, the copy would mark nothing stable, and raft-core would
   * log that the entry is missing from its unstable log.
   */
  private Message lastStorageResp;
  private final NodeFault fault;

  PersistStage(
      long nodeId,
      RaftStorage storage,
      RaftTransport transport,
      NodeState state,
      NodeMetrics metrics,
      LoopInbox inbox,
      ApplyLoop apply,
      long snapshotKeepEntries,
      NodeFault fault) {
    this.nodeId = nodeId;
    this.storage = storage;
    this.transport = transport;
    this.state = state;
    this.metrics = metrics;
    this.inbox = inbox;
    this.apply = apply;
    this.snapshotKeepEntries = snapshotKeepEntries;
    this.fault = fault;
  }

  /** Queues {@code input}; any thread (the raft loop, the lifecycle). */
  void offer(PersistInput input) {
    queue.add(input);
  }

  /** Starts the persist thread; it runs while the node's state says it runs. */
  Thread start() {
    written = storage.initialState().hardState();
    Thread t = new Thread(this::run, "raft-persist-" + nodeId);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void run() {
    List<PersistInput> batch = new ArrayList<>();
    while (state.serving()) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch);
        handle(batch);
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        writeFailed(e);
        return;
      }
    }
  }

  /**
   * Writes the commit index still held back, once the persist thread has ended at a stop (the
   * caller joined it); a restart then begins from it. A failure is only logged: raft learns the
   * commit index from the leader again.
   */
  void writeCommitIndexAfterStop() {
    try {
      writeCommitIndex();
    } catch (RuntimeException e) {
      log.warn("raft node {}: the last commit index was not written at stop", nodeId, e);
    }
  }

  /**
   * The one place a failed storage write ends up: the node stops taking part and serving (see
   * {@link NodeFault}), and the responses of that write are never sent.
   */
  void writeFailed(Throwable e) {
    fault.writeFailed(e);
    apply.offer(new ApplyInput.Wake());
  }

  /**
   * Writes {@code batch} in order, appends in groups of one transaction each, and delivers what
   * each group released (the one switch over the kinds of {@link PersistInput}).
   */
  void handle(List<PersistInput> batch) {
    Group group = new Group();
    for (PersistInput input : batch) {
      if (input instanceof PersistInput.Append a) {
        if (a.storageAppend().hasSnapshot() && !group.isEmpty()) {
          // A snapshot replaces the log: write what came before it first.
          commit(group);
          group = new Group();
        }
        group.add(a.storageAppend());
      } else if (input instanceof PersistInput.StoreSnapshot s) {
        commit(group);
        group = new Group();
        writeCommitIndex();
        storeSnapshot(s.taken());
      } else if (!(input instanceof PersistInput.Wake)) {
        throw new IllegalStateException("no handling for " + input);
      }
    }
    commit(group);
  }

  private void commit(Group g) {
    if (g.isEmpty()) {
      return;
    }
    if (g.onlyMovesCommit(written)) {
      unwritten = g.hardState;
      state.hardState(unwritten.getTerm(), unwritten.getCommit());
    } else if (g.changesStorage()) {
      // Entries, a snapshot, a new term or vote: raft promises them only once synced (MustSync).
      save(g.hardState != null ? g.hardState : unwritten, g.entries, g.snapshot, true);
    }
    if (g.snapshot != null) {
      apply.offer(new ApplyInput.InstallSnapshot(g.snapshot));
    }
    List<Message> toSelf = new ArrayList<>();
    for (Message m : g.responses) {
      if (m.getType() == MessageType.MsgStorageAppendResp) {
        // A copy (same term, last entry and snapshot) of a response already stepped: stepping it
        // again would change nothing, as etcd's raft ignores an entry that is stable already.
        if (m.equals(lastStorageResp)) {
          continue;
        }
        lastStorageResp = m;
        toSelf.add(m);
      } else if (m.getTo() == nodeId) {
        toSelf.add(m);
      } else {
        StageEvent.message(StageEvent.Stage.SEND, nodeId, m);
        transport.send(m);
      }
    }
    if (!toSelf.isEmpty()) {
      inbox.put(new LoopInput.Persisted(toSelf));
    }
  }

  /**
   * Writes the hard state of the commit-only groups since the last write, without a sync (the
   * next synced write, or the snapshot store's, makes it durable).
   */
  private void writeCommitIndex() {
    if (unwritten != null) {
      save(unwritten, List.of(), null, false);
    }
  }

  private void save(
      @Nullable HardState hs, List<Entry> entries, @Nullable Snapshot snapshot, boolean sync) {
    long last = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).getIndex();
    StageEvent.emit(StageEvent.Stage.PERSIST_START, nodeId, last, 0);
    long start = System.nanoTime();
    storage.save(
        hs == null ? HardState.getDefaultInstance() : hs,
        entries,
        snapshot == null ? Snapshot.getDefaultInstance() : snapshot,
        sync);
    metrics.persisted(System.nanoTime() - start);
    StageEvent.emit(StageEvent.Stage.PERSIST_END, nodeId, last, 0);
    if (hs != null) {
      written = hs;
      state.hardState(written.getTerm(), written.getCommit());
    }
    unwritten = null;
  }

  /** Stores the apply thread's snapshot and compacts the log, keeping some entries for followers. */
  private void storeSnapshot(LoopInput.SnapshotTaken taken) {
    try {
      storage.createSnapshot(taken.index(), taken.confState(), taken.data());
      long compactTo = taken.index() - snapshotKeepEntries;
      if (compactTo >= storage.firstIndex()) {
        storage.compact(compactTo);
      }
      state.snapshotsTaken.incrementAndGet();
    } catch (RaftException e) {
      // A newer snapshot from the leader (or an earlier compaction) already covers this index.
      log.debug("snapshot at {} skipped: {}", taken.index(), e.getMessage());
    }
  }

  /** Appends merged into one write: the last hard state, the log as the appends leave it. */
  private static final class Group {
    private final List<Entry> entries = new ArrayList<>();
    private final List<Message> responses = new ArrayList<>();
    private HardState hardState;
    private Snapshot snapshot;
    private boolean empty = true;

    void add(Message append) {
      empty = false;
      if (append.hasSnapshot()) {
        snapshot = append.getSnapshot();
      }
      if (append.getEntriesCount() > 0) {
        long first = append.getEntries(0).getIndex();
        // A later append that starts inside what is merged replaces it from there on.
        if (!entries.isEmpty() && first <= entries.get(entries.size() - 1).getIndex()) {
          int keep = (int) Math.max(0, first - entries.get(0).getIndex());
          entries.subList(keep, entries.size()).clear();
        }
        entries.addAll(append.getEntriesList());
      }
      HardState hs =
          HardState.newBuilder()
              .setTerm(append.getTerm())
              .setVote(append.getVote())
              .setCommit(append.getCommit())
              .build();
      if (!RaftUtil.isEmptyHardState(hs)) {
        hardState = hs;
      }
      responses.addAll(append.getResponsesList());
    }

    boolean isEmpty() {
      return empty;
    }

    /** Whether only the commit index moved since {@code written}: no entries, snapshot, term or vote. */
    boolean onlyMovesCommit(HardState written) {
      return entries.isEmpty()
          && snapshot == null
          && hardState != null
          && hardState.getTerm() == written.getTerm()
          && hardState.getVote() == written.getVote();
    }

    boolean changesStorage() {
      return hardState != null || !entries.isEmpty() || snapshot != null;
    }
  }
}
