package dev.raftboot.spring.test;

import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.transport.PeerTraffic;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import dev.raftboot.spring.transport.TransportMetrics;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one fake transport of this module's tests: it sends nothing. Enough for a single-node
 * cluster, or a node that never sees a leader. Cluster tests live in raft-spring-boot-test, on its
 * in-memory network.
 */
public class NoNetworkTransport implements RaftTransport {

  @Override
  public void start(long selfId, Map<Long, URI> peers, TransportListener listener) {}

  @Override
  public void send(Message message) {}

  @Override
  public void updatePeers(Map<Long, URI> peers) {}

  @Override
  public void stop() {}

  /** A transport that sends nothing but reports per-peer traffic counters a test sets. */
  public static class Counting extends NoNetworkTransport implements TransportMetrics {

    private final Map<Long, Traffic> traffic = new ConcurrentHashMap<>();

    public void set(long peer, long messagesSent, long bytesSent, long messagesDropped, long bytesDropped) {
      traffic.put(peer, new Traffic(messagesSent, bytesSent, messagesDropped, bytesDropped));
    }

    @Override
    public Map<Long, Traffic> traffic() {
      return Map.copyOf(traffic);
    }
  }

  /** Implements the interface through its record components, as a transport's own record would. */
  public record Traffic(long messagesSent, long bytesSent, long messagesDropped, long bytesDropped)
      implements PeerTraffic {}
}
