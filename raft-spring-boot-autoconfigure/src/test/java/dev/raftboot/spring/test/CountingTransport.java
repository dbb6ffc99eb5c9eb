package dev.raftboot.spring.test;

import dev.raftboot.spring.transport.PeerTraffic;
import dev.raftboot.spring.transport.TransportMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link NoNetworkTransport} whose per-peer traffic counters a test sets. */
public class CountingTransport extends NoNetworkTransport implements TransportMetrics {

  private final Map<Long, Traffic> traffic = new ConcurrentHashMap<>();

  public void set(long peer, long messagesSent, long bytesSent, long messagesDropped, long bytesDropped) {
    traffic.put(peer, new Traffic(messagesSent, bytesSent, messagesDropped, bytesDropped));
  }

  @Override
  public Map<Long, Traffic> traffic() {
    return Map.copyOf(traffic);
  }

  /** Implements the interface through its record components, as a transport's own record would. */
  public record Traffic(long messagesSent, long bytesSent, long messagesDropped, long bytesDropped)
      implements PeerTraffic {}
}
