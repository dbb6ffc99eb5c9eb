package dev.raftboot.spring.api;

import dev.raftboot.StateType;
import java.util.List;
import java.util.Map;

/**
 * A point-in-time view of a node.
 *
 * @param progress per member, only when this node is the leader (empty otherwise)
 */
public record RaftStatus(
    long id,
    StateType role,
    long term,
    long leader,
    long commit,
    long applied,
    long firstIndex,
    long lastIndex,
    long snapshotIndex,
    List<Long> voters,
    List<Long> outgoingVoters,
    List<Long> learners,
    Map<Long, PeerProgress> progress) {

  /** Whether this node is in the configuration (as a voter or learner). */
  public boolean isMember() {
    return voters.contains(id) || outgoingVoters.contains(id) || learners.contains(id);
  }
}
