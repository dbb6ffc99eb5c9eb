package dev.raftboot.spring.test;

import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.transport.PeerTraffic;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import dev.raftboot.spring.transport.TransportMetrics;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The one fake transport of the tests that need no network: it sends nothing, and shows each
 * message it is given to a consumer (on the caller's thread) if the test wants to see them. Enough
 * for a single-node cluster, a node that never sees a leader, or a stage tested on its own. Cluster
 * tests live in raft-spring-boot-test, on the kit's in-memory network ({@link TappedTransport} taps
 * that one).
 */
public class NoNetworkTransport implements RaftTransport {

  private final Consumer<Message> sent;

  public NoNetworkTransport() {
    this(message -> {});
  }

  public NoNetworkTransport(Consumer<Message> sent) {
    this.sent = sent;
  }

  @Override
  public void start(long selfId, Map<Long, URI> peers, TransportListener listener) {}

  @Override
  public void send(Message message) {
    sent.accept(message);
  }

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
