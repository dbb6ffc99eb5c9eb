package dev.raftboot;

/** The proposal was dropped (no leader, a leader transfer in progress, the uncommitted-size limit, forwarding disabled, or this node is not a member); it may be retried. */
public final class ProposalDroppedException extends RaftException {

  public static final ProposalDroppedException INSTANCE = new ProposalDroppedException();

  private ProposalDroppedException() {
    super("raft proposal dropped");
  }
}
