package dev.raftboot;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One node of an {@link InteractionEnv}: the raw node, its storage, its configuration, the work
 * queued for its (simulated) append and apply threads, and the history of its applied state.
 */
final class InteractionNode {

  final RawNode rawNode;
  final MemoryStorage memory;
  final Storage storage;
  final Config config;
  /** {@code MsgStorageAppend} messages not yet processed, oldest first (async mode only). */
  final ArrayDeque<Message> appendWork = new ArrayDeque<>();
  /** {@code MsgStorageApply} messages not yet processed, oldest first (async mode only). */
  final ArrayDeque<Message> applyWork = new ArrayDeque<>();
  /**
   * The state machine's state after each applied entry, as snapshots; the first element is the
   * bootstrap snapshot (or the empty one). The last element is what the storage's {@code
   * snapshot()} hands out.
   */
  final List<Snapshot> history;

  InteractionNode(RawNode rawNode, MemoryStorage memory, Storage storage, Config config, List<Snapshot> history) {
    this.rawNode = rawNode;
    this.memory = memory;
    this.storage = storage;
    this.config = config;
    this.history = history;
  }

  long id() {
    return config.id();
  }

  Snapshot lastSnapshot() {
    return history.get(history.size() - 1);
  }

  /**
   * A storage that reads everything from a {@link MemoryStorage} except the snapshot, which is the
   * node's latest applied state: so a leader that must send a snapshot sends its state as of its
   * last applied entry, whatever was compacted.
   */
  static final class HistoryStorage extends ForwardingStorage {
    private final List<Snapshot> history;

    HistoryStorage(MemoryStorage memory, List<Snapshot> history) {
      super(memory);
      this.history = history;
    }

    @Override
    public Snapshot snapshot() {
      return history.get(history.size() - 1);
    }
  }

  static List<Snapshot> newHistory(Snapshot initial) {
    List<Snapshot> h = new ArrayList<>();
    h.add(initial);
    return h;
  }
}
