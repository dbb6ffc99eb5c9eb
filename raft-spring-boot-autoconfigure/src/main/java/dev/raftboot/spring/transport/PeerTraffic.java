package dev.raftboot.spring.transport;

/**
 * What a transport has sent to, or dropped for, one peer since it started. The accessor names
 * match the usual record components, so a transport's own counters record can simply implement
 * this interface.
 */
public interface PeerTraffic {

  /** Messages the peer accepted. */
  long messagesSent();

  /** Bytes of the messages the peer accepted. */
  long bytesSent();

  /** Messages given up on (queue full, request failed, peer unknown, too large). */
  long messagesDropped();

  /** Bytes of the messages given up on. */
  long bytesDropped();
}
