package dev.raftboot;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;

/**
 * Everything that is ready to be persisted, sent or applied, taken from a node in one batch.
 *
 * <p>Process it in this order: persist {@link #hardState}, {@link #entries} and {@link #snapshot}
 * (synced to disk when {@link #mustSync}); send {@link #messages} (a leader may send before its own
 * write completes, a follower must not); apply {@link #snapshot} and {@link #committedEntries};
 * then call {@code advance()}. In async-storage-writes mode the persistence and apply work comes as
 * {@code MsgStorageAppend} / {@code MsgStorageApply} messages instead and {@code advance()} is not
 * called.
 *
 * <p>In the default mode {@link #committedEntries} may include entries of this same Ready's
 * {@link #entries}: an entry a quorum holds is committed, and may be applied before this node's
 * own copy is durable. In async-storage-writes mode only entries that are durable locally are
 * handed out to apply. No committed entries are handed out while a snapshot is waiting to be
 * applied. Treat the lists as read-only.
 *
 * @param softState the leader and role if they changed since the last Ready, else {@code null}
 * @param hardState the term, vote and commit if they changed, else the empty default instance
 * @param readStates answers to {@code readIndex} requests
 * @param entries entries to persist before sending messages
 * @param snapshot a snapshot to persist, or the empty default instance
 * @param committedEntries entries to apply, in order
 * @param messages messages to send once the entries are persisted
 * @param mustSync whether the write must be synced to disk (entries, or a term or vote change)
 */
public record Ready(
    SoftState softState,
    HardState hardState,
    List<ReadState> readStates,
    List<Entry> entries,
    Snapshot snapshot,
    List<Entry> committedEntries,
    List<Message> messages,
    boolean mustSync) {

  /** Whether the hard state changed and must be persisted. */
  public boolean hasHardState() {
    return !RaftUtil.isEmptyHardState(hardState);
  }

  /** Whether a snapshot must be persisted and applied. */
  public boolean hasSnapshot() {
    return !RaftUtil.isEmptySnap(snapshot);
  }

  /** Whether this Ready carries anything at all. */
  public boolean containsUpdates() {
    return softState != null
        || hasHardState()
        || hasSnapshot()
        || !entries.isEmpty()
        || !committedEntries.isEmpty()
        || !messages.isEmpty()
        || !readStates.isEmpty();
  }
}
