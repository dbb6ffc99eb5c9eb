package dev.raftboot.spring.api;

import org.springframework.context.ApplicationEvent;

/**
 * Published when this node learns of a new leader or loses track of it ({@code leaderId} 0).
 * Delivered on the node's event thread, in order with the other events; a listener may make
 * replicated calls.
 */
public final class RaftLeaderChangedEvent extends ApplicationEvent {

  private final long nodeId;
  private final long term;
  private final long leaderId;

  public RaftLeaderChangedEvent(Object source, long nodeId, long term, long leaderId) {
    super(source);
    this.nodeId = nodeId;
    this.term = term;
    this.leaderId = leaderId;
  }

  public long nodeId() {
    return nodeId;
  }

  public long term() {
    return term;
  }

  /** The new leader's id, or 0 if none is known. */
  public long leaderId() {
    return leaderId;
  }

  /** Whether this node became the leader. */
  public boolean isLocalLeader() {
    return leaderId == nodeId;
  }
}
