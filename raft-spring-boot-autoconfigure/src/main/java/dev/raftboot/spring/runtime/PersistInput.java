package dev.raftboot.spring.runtime;

import dev.raftboot.raftpb.Message;

/**
 * What the raft loop hands to the {@link PersistStage}'s thread, in the order it must be written:
 * one record per kind, handled in {@link PersistStage#handle}.
 */
sealed interface PersistInput {

  /**
   * A Ready's {@code MsgStorageAppend}: entries, hard state and snapshot to keep, and the
   * responses that may be delivered only once they are durable.
   */
  record Append(Message storageAppend) implements PersistInput {}

  /** The apply thread's snapshot: store it and compact the log, ordered with the appends. */
  record StoreSnapshot(LoopInput.SnapshotTaken taken) implements PersistInput {}

  /** Wakes the persist thread so that it sees it must stop. */
  record Wake() implements PersistInput {}
}
