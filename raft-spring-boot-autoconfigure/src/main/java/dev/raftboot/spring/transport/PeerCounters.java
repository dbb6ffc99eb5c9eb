package dev.raftboot.spring.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Monotonic traffic counters of one peer, written by its sender and snapshot threads and by the
 * raft loop (drops), read by metrics; kept after the peer is removed so meters never go back.
 */
final class PeerCounters {
  final AtomicLong messagesSent = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong messagesDropped = new AtomicLong();
  final AtomicLong bytesDropped = new AtomicLong();
  final AtomicLong requestsSent = new AtomicLong();
  final AtomicLong requestsFailed = new AtomicLong();
  final AtomicLong snapshotsSent = new AtomicLong();
  final AtomicLong snapshotsFailed = new AtomicLong();
  final AtomicLong connectionsOpened = new AtomicLong();

  void sent(long messages, long bytes) {
    messagesSent.addAndGet(messages);
    bytesSent.addAndGet(bytes);
  }

  void dropped(long messages, long bytes) {
    messagesDropped.addAndGet(messages);
    bytesDropped.addAndGet(bytes);
  }

  PeerStats snapshot() {
    return new PeerStats(
        messagesSent.get(),
        bytesSent.get(),
        messagesDropped.get(),
        bytesDropped.get(),
        requestsSent.get(),
        requestsFailed.get(),
        snapshotsSent.get(),
        snapshotsFailed.get(),
        connectionsOpened.get());
  }
}
