package dev.raftboot.spring.runtime;

import dev.raftboot.RaftException;
import dev.raftboot.Ready;
import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.transport.RaftTransport;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persist stage: every storage write of the raft loop. A {@link Write} makes durable what one
 * Ready asks to keep (hard state, entries, snapshot) and only then releases the messages that
 * promise it (append acknowledgements and votes); a {@link LoopInput.SnapshotTaken} stores the
 * apply thread's snapshot and compacts the log behind it.
 *
 * <p>Today the stage runs on the raft loop thread and {@link #persist} returns once the write has
 * committed and the waiting messages are sent: one storage transaction per Ready. It is the seam
 * where writes can become asynchronous, several Readies sharing one commit (group commit), as long
 * as the waiting messages still leave only after their write is durable.
 */
final class PersistStage {

  private static final Logger log = LoggerFactory.getLogger(PersistStage.class);

  /**
   * What one Ready asks to keep, and the messages that may leave only once it is kept.
   *
   * @param ready the Ready whose hard state, entries and snapshot are written
   * @param afterDurable messages that promise durability, sent once the write has committed
   */
  record Write(Ready ready, List<Message> afterDurable) {

    /** Whether the Ready changes anything storage keeps; a Ready may only carry messages. */
    boolean changesStorage() {
      return ready.hasHardState() || !ready.entries().isEmpty() || ready.hasSnapshot();
    }
  }

  private final RaftStorage storage;
  private final RaftTransport transport;
  private final NodeState state;
  private final NodeMetrics metrics;
  private final long snapshotKeepEntries;
  private final StorageFault fault;

  PersistStage(
      RaftStorage storage,
      RaftTransport transport,
      NodeState state,
      NodeMetrics metrics,
      long snapshotKeepEntries,
      StorageFault fault) {
    this.storage = storage;
    this.transport = transport;
    this.state = state;
    this.metrics = metrics;
    this.snapshotKeepEntries = snapshotKeepEntries;
    this.fault = fault;
  }

  /** A storage write failed: the node stops taking part (see {@link StorageFault}). */
  void writeFailed(RuntimeException e) {
    fault.writeFailed(e);
  }

  /**
   * Writes {@code write}'s state, then sends its waiting messages. A storage failure is reported
   * to {@link #writeFailed} and rethrown, so that the loop goes no further with this Ready.
   */
  void persist(Write write) {
    Ready rd = write.ready();
    if (write.changesStorage()) {
      long start = System.nanoTime();
      try {
        // A Ready that only moves the commit index need not wait for the disk (etcd's MustSync).
        storage.save(rd.hardState(), rd.entries(), rd.snapshot(), rd.mustSync());
      } catch (RuntimeException e) {
        writeFailed(e);
        throw e;
      }
      metrics.persisted(System.nanoTime() - start);
    }
    if (rd.hasHardState()) {
      state.hardState(rd.hardState().getTerm(), rd.hardState().getCommit());
    }
    for (Message m : write.afterDurable()) {
      transport.send(m);
    }
  }

  /** Stores the apply thread's snapshot and compacts the log, keeping some entries for followers. */
  void snapshotTaken(LoopInput.SnapshotTaken taken) {
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
    } catch (RuntimeException e) {
      writeFailed(e);
      throw e;
    }
  }
}
