package dev.raftboot;

import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;

/**
 * A {@link Storage} that forwards every call to another one; a test storage extends it and
 * overrides only what it changes (the initial state of a restarted node, the snapshot it offers).
 * Part of raft-core's test-jar. As thread-safe as the storage it forwards to.
 */
public class ForwardingStorage implements Storage {

  private final Storage delegate;

  public ForwardingStorage(Storage delegate) {
    this.delegate = delegate;
  }

  @Override
  public InitialState initialState() {
    return delegate.initialState();
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxSize) {
    return delegate.entries(lo, hi, maxSize);
  }

  @Override
  public long term(long i) {
    return delegate.term(i);
  }

  @Override
  public long lastIndex() {
    return delegate.lastIndex();
  }

  @Override
  public long firstIndex() {
    return delegate.firstIndex();
  }

  @Override
  public Snapshot snapshot() {
    return delegate.snapshot();
  }
}
