package dev.raftboot.spring.transport;

import dev.raftboot.raftpb.Message;

/**
 * The node side of the inbound transport: what the peer endpoint needs to validate and hand over a
 * message. Safe to call from any thread.
 */
public interface RaftMessageReceiver {

  /** This node's id. */
  long nodeId();

  /** The cluster id every request must carry. */
  String clusterId();

  /** Whether {@code id} is in this node's current configuration (voter or learner). */
  boolean isMember(long id);

  /**
   * Hands a validated message to the node; returns without waiting for it to be processed.
   *
   * @return false if the node is not running and the message was dropped
   */
  boolean receive(Message message);
}
