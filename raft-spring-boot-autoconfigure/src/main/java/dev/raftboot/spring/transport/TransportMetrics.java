package dev.raftboot.spring.transport;

import java.util.Map;

/**
 * Implemented by a {@link RaftTransport} that counts its traffic per peer; the metrics binder
 * publishes these counters as meters tagged with the peer id.
 */
public interface TransportMetrics {

  /**
   * Monotonic counters of every peer this transport has sent to, by peer id (kept after a peer
   * is removed, so that counters never go backwards). Safe to call from any thread.
   */
  Map<Long, ? extends PeerTraffic> traffic();
}
