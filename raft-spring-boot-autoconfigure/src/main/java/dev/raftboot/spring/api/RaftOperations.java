package dev.raftboot.spring.api;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Status and membership operations on the local raft node. Safe to call from any thread.
 *
 * <p>Membership changes are proposed through the log and complete once this node has applied
 * them; they fail with {@link NoLeaderException} when no leader is known, and with {@link
 * CommandTimeoutException} (outcome unknown) when not applied in time. Only one membership change
 * may be in flight at a time: the leader ignores a second one until the first is applied, so such a
 * call times out.
 */
public interface RaftOperations {

  long nodeId();

  RaftStatus status();

  /** The current leader as this node knows it. */
  Optional<RaftMember> leader();

  /** Every voter and learner, with the URL this node would use to reach it. */
  List<RaftMember> members();

  /** Adds a non-voting member that receives the log; promote it once it has caught up. */
  CompletableFuture<Void> addLearner(long id, URI url);

  /** Turns a learner into a voter. */
  CompletableFuture<Void> promote(long id);

  /**
   * Removes a member (voter or learner). Fails with {@link IllegalStateException} for one of two
   * voters (the voter left alone could be unable to ever win an election) and, when called on the
   * leader, while fewer than a quorum of the voters that would stay have caught up with its commit
   * index.
   */
  CompletableFuture<Void> remove(long id);

  /** Asks the leader to hand leadership to {@code id}; completes when {@code id} leads. */
  CompletableFuture<Void> transferLeadership(long id);

  /** Takes a snapshot now and compacts the log; completes with the snapshot index. */
  CompletableFuture<Long> triggerSnapshot();
}
