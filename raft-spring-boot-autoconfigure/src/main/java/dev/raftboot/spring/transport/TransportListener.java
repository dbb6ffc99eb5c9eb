package dev.raftboot.spring.transport;

import dev.raftboot.SnapshotStatus;

/** Delivery outcomes a {@link RaftTransport} reports back to the node. Safe to call from any thread. */
public interface TransportListener {

  /** A message to {@code peerId} could not be delivered. */
  void reportUnreachable(long peerId);

  /** A snapshot to {@code peerId} was delivered ({@code FINISH}) or failed. */
  void reportSnapshot(long peerId, SnapshotStatus status);
}
