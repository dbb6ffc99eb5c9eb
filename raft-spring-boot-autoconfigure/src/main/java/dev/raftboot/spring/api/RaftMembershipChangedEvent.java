package dev.raftboot.spring.api;

import java.util.List;
import org.springframework.context.ApplicationEvent;

/**
 * Published when this node applies a membership change, on the node's event thread, in order with
 * the other events. (Restoring a snapshot that carries another configuration publishes none.)
 */
public final class RaftMembershipChangedEvent extends ApplicationEvent {

  private final List<Long> voters;
  private final List<Long> learners;

  public RaftMembershipChangedEvent(Object source, List<Long> voters, List<Long> learners) {
    super(source);
    this.voters = List.copyOf(voters);
    this.learners = List.copyOf(learners);
  }

  public List<Long> voters() {
    return voters;
  }

  public List<Long> learners() {
    return learners;
  }
}
