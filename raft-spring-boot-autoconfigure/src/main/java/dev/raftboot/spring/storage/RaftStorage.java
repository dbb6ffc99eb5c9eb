package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import dev.raftboot.Storage;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;

/**
 * A durable {@link Storage} the runtime writes to: one {@link #save} per Ready, plus snapshots and
 * compaction. Written only by the runtime's persist thread; read meanwhile by raft on the raft loop thread and
 * by status queries, so reads must be safe during a write.
 */
public interface RaftStorage extends Storage {

  /**
   * Persists what one Ready asks for, atomically and durably (synced before returning): a snapshot
   * (replacing the log), then entries (replacing any conflicting suffix), then the hard state.
   * Empty default instances mean "nothing to write".
   */
  default void save(HardState hardState, List<Entry> entries, Snapshot snapshot) {
    save(hardState, entries, snapshot, true);
  }

  /**
   * Like {@link #save(HardState, List, Snapshot)}, but when {@code sync} is false the write only
   * has to be atomic and ordered, not on disk when this returns: a crash may lose it, never a
   * write that an earlier or later synced save covers. Raft allows that for a Ready whose {@code
   * mustSync} is false (only the commit index changed), since a node that restarts with an older
   * commit index learns the newer one from the leader again.
   */
  void save(HardState hardState, List<Entry> entries, Snapshot snapshot, boolean sync);

  /** Records a snapshot of the applied state at {@code index}. */
  Snapshot createSnapshot(long index, ConfState confState, ByteString data);

  /** Discards log entries up to and including {@code compactIndex}. */
  void compact(long compactIndex);
}
