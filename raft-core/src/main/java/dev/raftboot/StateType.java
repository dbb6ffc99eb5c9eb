package dev.raftboot;

/** The role of a node. {@link #toString()} gives etcd's names ({@code StateLeader}, ...). */
public enum StateType {
  FOLLOWER("StateFollower"),
  CANDIDATE("StateCandidate"),
  LEADER("StateLeader"),
  PRE_CANDIDATE("StatePreCandidate");

  private final String text;

  StateType(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }
}
