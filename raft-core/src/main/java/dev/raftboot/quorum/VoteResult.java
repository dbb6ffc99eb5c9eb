package dev.raftboot.quorum;

/** The outcome of a vote. {@link #toString()} gives etcd's names ({@code VoteWon}, ...). */
public enum VoteResult {
  /** Not decided yet: the missing votes could still tip the balance either way. */
  PENDING("VotePending"),
  /** Lost: even if every missing vote came in as yes, there would be no quorum. */
  LOST("VoteLost"),
  /** Won: a quorum voted yes. */
  WON("VoteWon");

  private final String text;

  VoteResult(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }
}
