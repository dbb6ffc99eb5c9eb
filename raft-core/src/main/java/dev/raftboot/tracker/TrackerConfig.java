package dev.raftboot.tracker;

import dev.raftboot.quorum.JointConfig;
import dev.raftboot.quorum.MajorityConfig;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The membership: the voters (joint during a change), the learners, and the learners-to-be.
 *
 * <p>{@code learnersNext} holds nodes that are to become learners but are still voters in the
 * outgoing config; they turn into learners when the joint config is left. A node cannot be a voter
 * and a learner at once, since demoting a voter must go through a joint config.
 */
public final class TrackerConfig {

  private final JointConfig voters;
  private boolean autoLeave;
  private final TreeSet<Long> learners;
  private final TreeSet<Long> learnersNext;

  /** An empty config. */
  public TrackerConfig() {
    this(
        new JointConfig(),
        new TreeSet<>(Long::compareUnsigned),
        new TreeSet<>(Long::compareUnsigned));
  }

  private TrackerConfig(JointConfig voters, TreeSet<Long> learners, TreeSet<Long> learnersNext) {
    this.voters = voters;
    this.learners = learners;
    this.learnersNext = learnersNext;
  }

  /** The voters; mutable. */
  public JointConfig voters() {
    return voters;
  }

  /** Whether the joint config is to be left automatically once it is committed. */
  public boolean autoLeave() {
    return autoLeave;
  }

  public void setAutoLeave(boolean b) {
    autoLeave = b;
  }

  /** The learners; mutable, ascending, possibly empty. */
  public SortedSet<Long> learners() {
    return learners;
  }

  /** The voters of the outgoing config that become learners on leaving it; mutable, ascending. */
  public SortedSet<Long> learnersNext() {
    return learnersNext;
  }

  /** A deep copy. */
  public TrackerConfig copy() {
    TrackerConfig c =
        new TrackerConfig(voters.copy(), new TreeSet<>(learners), new TreeSet<>(learnersNext));
    c.autoLeave = autoLeave;
    return c;
  }

  /**
   * For example {@code voters=(1 2 3)&&(1) learners=(4) learners_next=(5) autoleave}; the learner
   * sets are shown only when non-empty, IDs in hex.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("voters=").append(voters);
    if (!learners.isEmpty()) {
      sb.append(" learners=").append(new MajorityConfig(learners));
    }
    if (!learnersNext.isEmpty()) {
      sb.append(" learners_next=").append(new MajorityConfig(learnersNext));
    }
    if (autoLeave) {
      sb.append(" autoleave");
    }
    return sb.toString();
  }
}
