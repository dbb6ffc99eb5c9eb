package dev.raftboot.spring.runtime;

import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-JVM network for runtime tests: each node gets a {@link RaftTransport} that hands messages
 * to the recipient's {@link RaftMessageReceiver} on one delivery thread (so per-pair order holds).
 * Nodes can be cut off, which drops their traffic both ways and reports the peer unreachable, or
 * made deaf, which drops only the traffic to them.
 */
final class LocalNetwork implements AutoCloseable {

  private final Map<Long, RaftMessageReceiver> receivers = new ConcurrentHashMap<>();
  private final Set<Long> isolated = ConcurrentHashMap.newKeySet();
  private final Set<Long> deaf = ConcurrentHashMap.newKeySet();
  private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "local-network");
    t.setDaemon(true);
    return t;
  });

  void register(long id, RaftMessageReceiver receiver) {
    receivers.put(id, receiver);
  }

  void unregister(long id) {
    receivers.remove(id);
  }

  void isolate(long id) {
    isolated.add(id);
  }

  void heal(long id) {
    isolated.remove(id);
  }

  /** Drops every message to {@code id}; what it sends is still delivered. */
  void deafen(long id) {
    deaf.add(id);
  }

  RaftTransport transportFor(long self) {
    return new RaftTransport() {
      private volatile TransportListener listener;

      @Override
      public void start(long selfId, Map<Long, URI> peers, TransportListener l) {
        listener = l;
      }

      @Override
      public void send(Message m) {
        delivery.execute(
            () -> {
              RaftMessageReceiver to = receivers.get(m.getTo());
              boolean cut =
                  isolated.contains(self) || isolated.contains(m.getTo()) || deaf.contains(m.getTo());
              boolean delivered = !cut && to != null && to.receive(m);
              if (m.getType() == MessageType.MsgSnap) {
                listener.reportSnapshot(m.getTo(), delivered ? SnapshotStatus.FINISH : SnapshotStatus.FAILURE);
              } else if (!delivered) {
                listener.reportUnreachable(m.getTo());
              }
            });
      }

      @Override
      public void updatePeers(Map<Long, URI> peers) {}

      @Override
      public void stop() {}
    };
  }

  @Override
  public void close() {
    delivery.shutdownNow();
  }
}
