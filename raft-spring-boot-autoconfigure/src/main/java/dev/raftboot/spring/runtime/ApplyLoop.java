package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply loop: the one thread that applies committed entries to the application's state, in
 * log order. It invokes the {@link CommandApplier} once per command (skipping copies, see {@link
 * AppliedRequests}, and retries under an idempotency key, see {@link IdempotencyTable}) and hands the outcome to the caller waiting on this node, takes the conf
 * changes into the address book, completes reads once their confirmed index is applied, and
 * snapshots and restores the state through the {@link StateSnapshotter}: every {@code
 * snapshotEntries} applied entries, on request, and when the raft loop installed a leader's
 * snapshot. Storing a snapshot it took is the raft loop's job; it is handed over as a {@link
 * LoopInput.SnapshotTaken}.
 */
final class ApplyLoop {

  private static final Logger log = LoggerFactory.getLogger(ApplyLoop.class);

  private final BlockingQueue<ApplyInput> queue = new LinkedBlockingQueue<>();
  private final RaftServerSettings settings;
  private final NodeState state;
  private final CommandApplier applier;
  private final StateSnapshotter snapshotter;
  private final PendingCommands pending;
  private final Membership membership;
  private final RaftEvents events;
  private final LoopInbox inbox;
  private final NodeFault fault;
  private final AppliedRequests appliedRequests = new AppliedRequests();
  private final IdempotencyTable idempotencyKeys = new IdempotencyTable();
  /** Reads waiting for their confirmed index to be applied, by that index. */
  private final TreeMap<Long, List<CompletableFuture<Void>>> readWaiters = new TreeMap<>();
  private long lastSnapshotIndex;
  /** Whether the application's code (applier or snapshotter) is running. */
  private volatile boolean applying;
  private volatile Thread thread;

  ApplyLoop(
      RaftServerSettings settings,
      NodeState state,
      CommandApplier applier,
      StateSnapshotter snapshotter,
      PendingCommands pending,
      Membership membership,
      RaftEvents events,
      LoopInbox inbox,
      NodeFault fault) {
    this.settings = settings;
    this.state = state;
    this.applier = applier;
    this.snapshotter = snapshotter;
    this.pending = pending;
    this.membership = membership;
    this.events = events;
    this.inbox = inbox;
    this.fault = fault;
  }

  void offer(ApplyInput input) {
    queue.add(input);
  }

  /** Starts the apply thread; it runs while the node's state says it runs. */
  Thread start() {
    Thread t = new Thread(this::run, "raft-apply-" + settings.nodeId());
    t.setDaemon(true);
    thread = t;
    t.start();
    return t;
  }

  /** Whether the calling thread is the apply thread, inside a call to the application's code. */
  boolean isApplyThread() {
    return applying && Thread.currentThread() == thread;
  }

  private void run() {
    while (state.running()) {
      try {
        handle(queue.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // The application's state may be half-changed: the node stops taking part (and is not
        // rebuilt in place), and the reads waiting here are failed, as nothing will apply now.
        fault.unexpected("apply thread", e, false);
        readWaiters.values().forEach(reads -> reads.forEach(f -> f.completeExceptionally(state.notServing())));
        readWaiters.clear();
        return;
      }
    }
  }

  /** The one switch over the kinds of {@link ApplyInput} (see {@link RaftLoop#handle}). */
  void handle(ApplyInput input) {
    if (input instanceof ApplyInput.Committed c) {
      apply(c.entries(), c.confStates());
    } else if (input instanceof ApplyInput.InstallSnapshot i) {
      restore(i.snapshot());
      state.snapshotsInstalled.incrementAndGet();
    } else if (input instanceof ApplyInput.LeaderChanged l) {
      events.leaderChanged(l.term(), l.leader());
    } else if (input instanceof ApplyInput.ReadIndexConfirmed r) {
      awaitApplied(r.index(), r.reads());
    } else if (input instanceof ApplyInput.TakeSnapshot t) {
      t.reply().complete(maybeSnapshot(true));
    } else if (input instanceof ApplyInput.AlignWithStorage a) {
      try {
        alignWithStorage(a.snapshot(), a.lastIndex());
        a.done().complete(null);
      } catch (RuntimeException e) {
        a.done().completeExceptionally(e);
      }
    } else if (!(input instanceof ApplyInput.Wake)) {
      // Wake needs nothing: the loop checks whether it still runs.
      throw new IllegalStateException("no handling for " + input);
    }
  }

  private void apply(List<Entry> ents, List<ConfState> confStates) {
    boolean nodeAdded = false;
    for (int i = 0; i < ents.size(); i++) {
      Entry e = ents.get(i);
      if (e.getIndex() <= state.appliedIndex()) {
        // Already covered by a snapshot this node restored.
        continue;
      }
      if (e.getType() == EntryType.EntryNormal) {
        if (!e.getData().isEmpty()) {
          applyNormal(e);
        }
      } else {
        nodeAdded |= membership.apply(e, confStates.get(i));
      }
      state.appliedIndex(e.getIndex());
    }
    completeReads();
    // A node refuses a snapshot whose configuration does not include it, so a node that joins
    // needs a snapshot taken after the change that added it: take one now rather than leave the
    // leader sending an older one that the new node can never accept.
    maybeSnapshot(nodeAdded);
  }

  private void awaitApplied(long index, List<CompletableFuture<Void>> reads) {
    if (state.appliedIndex() >= index) {
      reads.forEach(f -> f.complete(null));
    } else {
      readWaiters.computeIfAbsent(index, k -> new ArrayList<>()).addAll(reads);
    }
  }

  // --- applying -----------------------------------------------------------------------------------

  private void applyNormal(Entry e) {
    CommandEnvelope env = decodeCommand(e);
    if (env == null) {
      return;
    }
    if (!appliedRequests.firstApplication(env.origin(), env.requestId())) {
      state.duplicatesSkipped.incrementAndGet();
      log.debug(
          "raft node {} skips entry {}: request {} of node {} was applied already",
          settings.nodeId(), e.getIndex(), env.requestId(), env.origin());
    } else if (!env.hasKey()) {
      applyCommand(env);
    } else if (idempotencyKeys.check(e.getIndex(), env) instanceof IdempotencyTable.Skip skip) {
      state.duplicatesSkipped.incrementAndGet();
      log.debug(
          "raft node {} skips entry {}: idempotency key '{}' was applied already",
          settings.nodeId(), e.getIndex(), env.idempotencyKey());
      settle(env, skip.result(), skip.error());
    } else {
      Outcome outcome = applyCommand(env);
      idempotencyKeys.applied(e.getIndex(), env, outcome.result(), outcome.error());
    }
  }

  /**
   * The command in {@code e}, or null when the entry holds none: then it is skipped, as every node
   * skips it, since only a faulty or hostile member can have proposed it.
   */
  private CommandEnvelope decodeCommand(Entry e) {
    try {
      return CommandEnvelope.decode(e.getData());
    } catch (IllegalArgumentException ex) {
      log.error(
          "raft node {} skips log entry {}, which holds no command: {}",
          settings.nodeId(),
          e.getIndex(),
          ex.getMessage());
      return null;
    }
  }

  /** What applying one command gave: its return value, or what it threw. */
  private record Outcome(Object result, Throwable error) {}

  private Outcome applyCommand(CommandEnvelope env) {
    Object result = null;
    Throwable error = null;
    applying = true;
    try {
      result = applier.apply(env.payload());
    } catch (OutOfMemoryError e) {
      // Not a property of the command: other nodes may well apply it. Stop this node instead.
      throw e;
    } catch (Throwable t) {
      // Anything else the method throws (even a StackOverflowError) is its deterministic result
      // on every node, so it is the command's outcome and the apply thread carries on.
      error = t;
    } finally {
      applying = false;
    }
    settle(env, result, error);
    return new Outcome(result, error);
  }

  /** Hands the outcome to the caller of {@code env}, if it waits on this node. */
  private void settle(CommandEnvelope env, Object result, Throwable error) {
    if (env.origin() != settings.nodeId()) {
      return;
    }
    StageEvent.emit(StageEvent.Stage.APPLIED, settings.nodeId(), 0, env.requestId());
    if (pending.settle(env.requestId(), result, error)) {
      state.proposalsCommitted.incrementAndGet();
      StageEvent.emit(StageEvent.Stage.COMPLETED, settings.nodeId(), 0, env.requestId());
    }
  }

  private void completeReads() {
    while (!readWaiters.isEmpty() && readWaiters.firstKey() <= state.appliedIndex()) {
      readWaiters.pollFirstEntry().getValue().forEach(f -> f.complete(null));
    }
  }

  // --- snapshots ----------------------------------------------------------------------------------

  /**
   * Replaces the application's state, the applied request ids, the idempotency keys and the
   * address book with what {@code snap} holds. Called on the apply thread, and by start before the threads run.
   */
  void restore(Snapshot snap) {
    SnapshotEnvelope env = SnapshotEnvelope.decode(snap.getData());
    if (snapshotter != null) {
      applying = true;
      try {
        snapshotter.restore(env.state());
      } finally {
        applying = false;
      }
    }
    appliedRequests.restore(env.appliedRequests());
    idempotencyKeys.restore(env.idempotencyKeys());
    membership.restore(env.addresses());
    state.appliedIndex(snap.getMetadata().getIndex());
    lastSnapshotIndex = state.appliedIndex();
    state.confState(snap.getMetadata().getConfState());
    completeReads();
  }

  /**
   * Makes the applied state agree with what storage durably holds ({@code snap}, entries up to
   * {@code lastIndex}), before a raft node is built on that storage: at start (before the apply
   * thread runs) and when the node is rebuilt after a failure (on the apply thread).
   *
   * <p>The state in memory, applied up to index A, is kept when the stored log continues from it:
   * snapshot index &le; A &le; {@code lastIndex}. That is the case after a failed write, as an entry
   * is applied only once stored here, and storage keeps what it stored. The new raft node hands out
   * the entries after the snapshot again (their conf changes must reach it), and {@link #apply}
   * skips those up to A: nothing is applied twice, nothing skipped. Otherwise (at start with a
   * stored snapshot; a stored snapshot newer than A; a storage that lost entries A reflects) the
   * state is restored from the stored snapshot and raft hands out what follows it.
   *
   * @throws IllegalStateException if the state is ahead of the stored log and no snapshot can
   *     replace it: the node must be started afresh, with the application
   */
  void alignWithStorage(Snapshot snap, long lastIndex) {
    long applied = state.appliedIndex();
    long snapIndex = snap.getMetadata().getIndex();
    if (snapIndex <= applied && applied <= lastIndex) {
      return;
    }
    if (snapIndex == 0 || (snapshotter == null && applied > 0)) {
      throw new IllegalStateException(
          "the application's state has applied entries up to "
              + applied
              + " but storage holds entries only up to "
              + lastIndex
              + " and no snapshot to restore from");
    }
    restore(snap);
  }

  /**
   * Snapshots the applied state when due (or when forced) and hands it to the raft loop to store;
   * returns the index of the newest snapshot.
   */
  private long maybeSnapshot(boolean force) {
    long index = state.appliedIndex();
    if (snapshotter == null || index <= lastSnapshotIndex) {
      return lastSnapshotIndex;
    }
    if (!force
        && (settings.snapshotEntries() <= 0
            || index - lastSnapshotIndex < settings.snapshotEntries())) {
      return lastSnapshotIndex;
    }
    ConfState cs = state.confState();
    ByteString data;
    applying = true;
    try {
      data =
          new SnapshotEnvelope(
                  state.addresses(),
                  snapshotter.snapshot(),
                  appliedRequests.copy(),
                  idempotencyKeys.copy())
              .encode();
    } finally {
      applying = false;
    }
    lastSnapshotIndex = index;
    inbox.put(new LoopInput.SnapshotTaken(index, cs, data));
    return index;
  }
}
