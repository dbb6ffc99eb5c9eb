package dev.raftboot.spring.health;

import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.runtime.RaftServerMetrics;
import dev.raftboot.spring.transport.PeerCheck;
import dev.raftboot.spring.transport.PeerChecks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the local raft node.
 *
 * <ul>
 *   <li>{@link Status#UP}: the node runs, is a member (voter or learner) and knows a leader, so it
 *       can serve commands and linearizable reads.
 *   <li>{@link Status#OUT_OF_SERVICE}: the node runs but cannot serve right now: it knows no leader
 *       (an election is in progress, or it is cut off from a quorum), or it is not a member yet (a
 *       joining node waiting to be added) or any more (removed). This is expected to pass.
 *   <li>{@link Status#DOWN}: the node is not running (not started, or stopped), or a storage write
 *       failed or a thread of the node met an unexpected error: then the reason is {@code storage
 *       failure: } (or {@code unexpected error in the raft loop: }) and the error, and the node
 *       serves nothing until it is restarted or, with {@code
 *       raft.storage.on-failure=restart-node}, rebuilt itself.
 * </ul>
 *
 * Details: {@code role}, {@code term}, {@code leader}, {@code member}, {@code commit}, {@code
 * applied} and {@code lag} (committed entries not yet applied here), and, with the HTTP transport,
 * {@code peers}: each peer's identity check ({@code VERIFIED}, {@code PENDING}, or {@code FAILED}
 * with the reason, such as another {@code raft.transport.token}), this node's own URL included.
 * The check reads values the node has already published and never waits on it.
 */
public class RaftHealthIndicator implements HealthIndicator {

  private final RaftServer server;
  private final @Nullable PeerChecks peerChecks;

  public RaftHealthIndicator(RaftServer server) {
    this(server, null);
  }

  /** @param peerChecks the transport's identity checks, shown in the details; or null */
  public RaftHealthIndicator(RaftServer server, @Nullable PeerChecks peerChecks) {
    this.server = server;
    this.peerChecks = peerChecks;
  }

  @Override
  public Health health() {
    RaftServerMetrics m = server.metrics();
    long id = m.nodeId();
    List<RaftMember> members = server.members();
    boolean member = members.stream().anyMatch(x -> x.id() == id);
    long leader = m.leaderId();
    long commit = m.commitIndex();
    long applied = m.appliedIndex();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("node", id);
    details.put("role", m.role().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    details.put("term", m.term());
    details.put("leader", leader);
    members.stream()
        .filter(x -> x.id() == leader && x.url() != null)
        .findFirst()
        .ifPresent(x -> details.put("leaderUrl", x.url().toString()));
    details.put("member", member);
    details.put("commit", commit);
    details.put("applied", applied);
    details.put("lag", Math.max(0, commit - applied));
    if (peerChecks != null) {
      Map<String, String> peers = new TreeMap<>();
      PeerCheck self = peerChecks.selfCheck();
      if (self != null) {
        peers.put(Long.toUnsignedString(id), describe(self));
      }
      peerChecks.peerChecks().forEach((peer, c) -> peers.put(Long.toUnsignedString(peer), describe(c)));
      details.put("peers", peers);
    }
    Health.Builder health;
    String failure = server.failure().orElse(null);
    if (failure != null) {
      health = Health.down().withDetail("reason", failure);
    } else if (!server.isRunning()) {
      health = Health.down().withDetail("reason", "raft node is not running");
    } else if (!member) {
      health = Health.outOfService().withDetail("reason", "not a member of the cluster");
    } else if (leader == 0) {
      health = Health.outOfService().withDetail("reason", "no leader known");
    } else {
      health = Health.up();
    }
    return health.withDetails(details).build();
  }

  private static String describe(PeerCheck c) {
    return c.state() == PeerCheck.State.VERIFIED ? c.state().name() : c.state() + ": " + c.detail();
  }
}
