package dev.raftboot.spring.transport;

import dev.raftboot.SnapshotStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a transport reports. */
final class RecordingListener implements TransportListener {

  final List<Long> unreachable = new CopyOnWriteArrayList<>();
  final List<SnapshotReport> snapshots = new CopyOnWriteArrayList<>();

  @Override
  public void reportUnreachable(long peerId) {
    unreachable.add(peerId);
  }

  @Override
  public void reportSnapshot(long peerId, SnapshotStatus status) {
    snapshots.add(new SnapshotReport(peerId, status));
  }

  record SnapshotReport(long peerId, SnapshotStatus status) {}
}
