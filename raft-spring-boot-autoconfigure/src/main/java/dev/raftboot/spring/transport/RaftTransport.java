package dev.raftboot.spring.transport;

import dev.raftboot.raftpb.Message;
import java.net.URI;
import java.util.Map;

/**
 * Carries Raft messages to the other members.
 *
 * <p>{@link #send} is called only from the raft loop thread and must never block it: an
 * implementation queues per peer and delivers on its own threads, batching what accumulates while
 * a request is in flight. A message that cannot be delivered (peer down, queue full) is dropped and
 * reported through {@link TransportListener#reportUnreachable}; Raft retries on its own. Snapshot
 * messages travel on their own request and their outcome is reported with {@link
 * TransportListener#reportSnapshot}.
 */
public interface RaftTransport {

  /** Starts delivering; {@code peers} maps every other member's id to its base URL. */
  void start(long selfId, Map<Long, URI> peers, TransportListener listener);

  /** Queues one message for its recipient ({@code message.getTo()}). */
  void send(Message message);

  /** Replaces the peer address book after a membership change. */
  void updatePeers(Map<Long, URI> peers);

  /** Stops delivering; queued messages are dropped. */
  void stop();
}
