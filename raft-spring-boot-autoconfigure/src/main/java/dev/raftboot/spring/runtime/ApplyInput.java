package dev.raftboot.spring.runtime;

import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the apply thread is handed, in the order it must act on it: one record per kind, taken
 * from the queue by the {@link ApplyLoop} and handled in {@link ApplyLoop#handle}.
 */
sealed interface ApplyInput {

  /**
   * Committed entries from one Ready, with the configuration each conf change entry produced when
   * the raft loop applied it to raft ({@code confStates.get(i)} is null for other entries).
   */
  record Committed(List<Entry> entries, List<ConfState> confStates) implements ApplyInput {}

  /** A snapshot from the leader, persisted by the raft loop: restore the state from it. */
  record InstallSnapshot(Snapshot snapshot) implements ApplyInput {}

  /** Raft's leader changed to {@code leader} (0: none) in {@code term}: publish the event. */
  record LeaderChanged(long term, long leader) implements ApplyInput {}

  /** A ReadIndex round confirmed {@code index}: complete {@code reads} once it is applied. */
  record ReadIndexConfirmed(long index, List<CompletableFuture<Void>> reads) implements ApplyInput {}

  /** Snapshot now ({@code triggerSnapshot}); {@code reply} gets the snapshot index. */
  record TakeSnapshot(CompletableFuture<Long> reply) implements ApplyInput {}

  /**
   * The node is rebuilt after a failure: make the applied state agree with storage (see {@link
   * ApplyLoop#alignWithStorage}) and complete {@code done}, exceptionally if it cannot.
   */
  record AlignWithStorage(Snapshot snapshot, long lastIndex, CompletableFuture<Void> done)
      implements ApplyInput {}

  /** Wakes the apply thread so that it sees it must stop. */
  record Wake() implements ApplyInput {}
}
