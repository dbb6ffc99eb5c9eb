package dev.raftboot.spring.runtime;

import java.util.List;
import org.springframework.context.ApplicationEvent;

/**
 * Published on the apply thread when this node applies a membership change (or restores a
 * snapshot with a different configuration).
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
