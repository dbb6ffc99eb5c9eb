package dev.raftboot.spring.test;

import com.google.protobuf.ByteString;
import dev.raftboot.ForwardingStorage;
import dev.raftboot.InitialState;
import dev.raftboot.MemoryStorage;
import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.storage.RaftStorage;
import java.util.List;

/**
 * The one in-memory {@link RaftStorage} of the tests, on raft-core's {@link MemoryStorage}: a save
 * is "durable" when it returns, and nothing survives the instance. A test storage that records or
 * delays writes extends it and overrides {@link #save}, calling {@code super.save} for the write.
 * Each call is thread-safe as {@link MemoryStorage}'s are; a save as a whole is not atomic.
 */
public class MemoryRaftStorage extends ForwardingStorage implements RaftStorage {

  private final MemoryStorage memory;
  private final ConfState bootstrap;

  /** An empty log with no configuration: the runtime bootstraps it from its peers. */
  public MemoryRaftStorage() {
    this(ConfState.getDefaultInstance());
  }

  private MemoryRaftStorage(ConfState bootstrap) {
    this(new MemoryStorage(), bootstrap);
  }

  private MemoryRaftStorage(MemoryStorage memory, ConfState bootstrap) {
    super(memory);
    this.memory = memory;
    this.bootstrap = bootstrap;
  }

  /**
   * An empty log of a member of a cluster of {@code voters}: the configuration its initial state
   * reports until a snapshot replaces it, for a node that is driven without being bootstrapped.
   */
  public static MemoryRaftStorage ofVoters(long... voters) {
    ConfState.Builder conf = ConfState.newBuilder();
    for (long voter : voters) {
      conf.addVoters(voter);
    }
    return new MemoryRaftStorage(conf.build());
  }

  @Override
  public InitialState initialState() {
    InitialState state = memory.initialState();
    return RaftUtil.isEmptySnap(memory.snapshot())
        ? new InitialState(state.hardState(), bootstrap)
        : state;
  }

  @Override
  public void save(HardState hardState, List<Entry> entries, Snapshot snapshot, boolean sync) {
    if (!RaftUtil.isEmptySnap(snapshot)) {
      memory.applySnapshot(snapshot);
    }
    if (!entries.isEmpty()) {
      memory.append(entries);
    }
    if (!RaftUtil.isEmptyHardState(hardState)) {
      memory.setHardState(hardState);
    }
  }

  @Override
  public Snapshot createSnapshot(long index, ConfState confState, ByteString data) {
    return memory.createSnapshot(index, confState, data);
  }

  @Override
  public void compact(long compactIndex) {
    memory.compact(compactIndex);
  }
}
