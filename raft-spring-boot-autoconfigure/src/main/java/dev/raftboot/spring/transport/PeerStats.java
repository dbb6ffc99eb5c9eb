package dev.raftboot.spring.transport;

/**
 * What {@link HttpRaftTransport} has done for one peer since it started (monotonic counters, kept
 * after the peer is removed).
 *
 * @param messagesSent messages the peer accepted (2xx), snapshots included
 * @param bytesSent framed bytes of those messages
 * @param messagesDropped messages given up on: queue full, request failed, peer unknown, too large
 * @param bytesDropped framed bytes of those messages
 * @param requestsSent batch and snapshot requests the peer accepted
 * @param requestsFailed requests that failed (I/O error, timeout, non-2xx)
 * @param snapshotsSent snapshots the peer accepted
 * @param snapshotsFailed snapshots that could not be delivered
 * @param connectionsOpened connections the batch sender opened (snapshots use their own client):
 *     one, plus one after every failure or every answer that closed the connection
 */
public record PeerStats(
    long messagesSent,
    long bytesSent,
    long messagesDropped,
    long bytesDropped,
    long requestsSent,
    long requestsFailed,
    long snapshotsSent,
    long snapshotsFailed,
    long connectionsOpened)
    implements PeerTraffic {

  /** No traffic yet. */
  public static final PeerStats NONE = new PeerStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
