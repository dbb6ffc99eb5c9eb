package dev.raftboot.spring.actuate.endpoint;

import dev.raftboot.StateType;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.PeerProgress;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.api.RaftOperations;
import dev.raftboot.spring.api.RaftStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code raft} endpoint. Over HTTP (paths below {@code /actuator/raft}):
 *
 * <ul>
 *   <li>{@code GET /} this node's status: role, term, leader, log indexes, configuration and, on
 *       the leader, every member's replication progress;
 *   <li>{@code GET /leader} the leader's id and URL;
 *   <li>{@code POST /learners {"id", "url"}} adds a learner;
 *   <li>{@code POST /voters {"id"}} promotes a learner to voter;
 *   <li>{@code DELETE /members/{id}} removes a member;
 *   <li>{@code POST /leader {"id"}} transfers leadership;
 *   <li>{@code POST /snapshot} takes a snapshot and compacts the log.
 * </ul>
 *
 * Invalid input (unknown member, missing id, bad URL) fails with {@link
 * InvalidEndpointRequestException} (HTTP 400). Operations the cluster could not carry out end with
 * a {@link RaftOperationResult} whose {@link Outcome} says why; {@link RaftEndpointWebExtension}
 * turns it into an HTTP status.
 */
@Endpoint(id = "raft")
public class RaftEndpoint {

  static final String LEADER = "leader";
  static final String LEARNERS = "learners";
  static final String VOTERS = "voters";
  static final String SNAPSHOT = "snapshot";
  static final String MEMBERS = "members";

  private final RaftOperations raft;
  private final Duration timeout;

  /**
   * @param raft the node
   * @param timeout how long an operation may take before it ends with {@link Outcome#TIMEOUT}; a
   *     little over the node's command timeout, so that the node's own answer comes first
   */
  public RaftEndpoint(RaftOperations raft, Duration timeout) {
    this.raft = raft;
    this.timeout = timeout;
  }

  /**
   * This node's status.
   *
   * @throws NodeStoppedException if the node is not running or did not answer in time
   */
  @ReadOperation
  public RaftNodeDescriptor raft() {
    RaftStatus st = raft.status();
    List<RaftMember> members = raft.members();
    Map<Long, URI> urls = new TreeMap<>();
    for (RaftMember m : members) {
      if (m.url() != null) {
        urls.put(m.id(), m.url());
      }
    }
    LeaderDescriptor leader =
        st.leader() == 0 ? null : new LeaderDescriptor(st.leader(), urls.get(st.leader()), st.leader() == st.id());
    Map<Long, ProgressDescriptor> progress = new TreeMap<>();
    st.progress().forEach((id, pr) -> progress.put(id, ProgressDescriptor.of(pr, st.lastIndex())));
    return new RaftNodeDescriptor(
        st.id(),
        roleName(st.role()),
        st.term(),
        leader,
        st.commit(),
        st.applied(),
        st.firstIndex(),
        st.lastIndex(),
        st.snapshotIndex(),
        new ConfigurationDescriptor(st.voters(), st.outgoingVoters(), st.learners()),
        members.stream().map(MemberDescriptor::of).toList(),
        progress);
  }

  /**
   * The leader as this node knows it ({@code resource} must be {@code leader}); its {@code id} is
   * null while no leader is known.
   *
   * @return null for any other resource (HTTP 404)
   */
  @ReadOperation
  public @Nullable LeaderDescriptor leader(@Selector String resource) {
    if (!LEADER.equals(resource)) {
      return null;
    }
    Optional<RaftMember> leader = raft.leader();
    return leader
        .map(m -> new LeaderDescriptor(m.id(), m.url(), m.id() == raft.nodeId()))
        .orElseGet(() -> new LeaderDescriptor(null, null, false));
  }

  /**
   * Adds a learner ({@code learners}, with {@code id} and {@code url}), promotes a learner
   * ({@code voters}, with {@code id}), transfers leadership ({@code leader}, with {@code id}) or
   * takes a snapshot ({@code snapshot}).
   */
  @WriteOperation
  public RaftOperationResult change(
      @Selector String resource, @Nullable Long id, @Nullable String url) {
    return switch (resource) {
      case LEARNERS -> addLearner(required(id), parseUrl(url));
      case VOTERS -> promote(required(id));
      case LEADER -> transferLeadership(required(id));
      case SNAPSHOT -> snapshot();
      default ->
          throw invalid(
              "Unknown raft resource '" + resource + "': expected learners, voters, leader or snapshot");
    };
  }

  /** Removes member {@code id} ({@code resource} must be {@code members}). */
  @DeleteOperation
  public RaftOperationResult remove(@Selector String resource, @Selector long id) {
    if (!MEMBERS.equals(resource)) {
      throw invalid("Unknown raft resource '" + resource + "': remove a member with DELETE members/{id}");
    }
    RaftMember member = member(id).orElseThrow(() -> notAMember(id));
    String what = member.voter() ? "voter" : "learner";
    return await("remove", () -> raft.remove(id), "node " + id + " (" + what + ") removed");
  }

  private RaftOperationResult addLearner(long id, URI url) {
    Optional<RaftMember> existing = member(id);
    if (existing.isPresent()) {
      throw invalid("node " + id + " is already a " + (existing.get().voter() ? "voter" : "learner"));
    }
    return await(
        "add-learner", () -> raft.addLearner(id, url), "node " + id + " added as a learner at " + url);
  }

  private RaftOperationResult promote(long id) {
    RaftMember member = member(id).orElseThrow(() -> notAMember(id));
    if (member.voter()) {
      throw invalid("node " + id + " is already a voter");
    }
    return await("promote", () -> raft.promote(id), "node " + id + " promoted to voter");
  }

  private RaftOperationResult transferLeadership(long id) {
    RaftMember member = member(id).orElseThrow(() -> notAMember(id));
    if (!member.voter()) {
      throw invalid("node " + id + " is a learner: only a voter can lead");
    }
    Optional<RaftMember> leader = raft.leader();
    if (leader.isPresent() && leader.get().id() == id) {
      return new RaftOperationResult(
          "transfer-leadership", Outcome.DONE, "node " + id + " is already the leader", members(), null);
    }
    return await("transfer-leadership", () -> raft.transferLeadership(id), "node " + id + " is the leader");
  }

  private RaftOperationResult snapshot() {
    try {
      long index = raft.triggerSnapshot().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new RaftOperationResult("snapshot", Outcome.DONE, "snapshot at index " + index, null, index);
    } catch (Exception e) {
      return failure("snapshot", e, false);
    }
  }

  /**
   * Runs a membership or leadership operation and waits for it. Fails at once with {@link
   * Outcome#NO_LEADER} when this node knows no leader: proposed anyway, the change would only wait
   * out the command timeout.
   */
  private RaftOperationResult await(
      String operation, Supplier<CompletableFuture<?>> action, String doneMessage) {
    if (raft.leader().isEmpty()) {
      return new RaftOperationResult(
          operation,
          Outcome.NO_LEADER,
          "node " + raft.nodeId() + " knows no leader (election in progress or no quorum); nothing was changed",
          null,
          null);
    }
    try {
      action.get().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new RaftOperationResult(operation, Outcome.DONE, doneMessage, members(), null);
    } catch (Exception e) {
      return failure(operation, e, true);
    }
  }

  private RaftOperationResult failure(String operation, Exception e, boolean clusterChange) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    Outcome outcome;
    String message;
    if (cause instanceof NoLeaderException) {
      outcome = Outcome.NO_LEADER;
      message = messageOf(cause);
    } else if (cause instanceof CommandTimeoutException) {
      outcome = Outcome.TIMEOUT;
      message = messageOf(cause);
    } else if (cause instanceof TimeoutException || cause instanceof InterruptedException) {
      outcome = Outcome.TIMEOUT;
      message =
          "no answer within " + timeout.toMillis() + " ms"
              + (clusterChange ? "; the outcome is unknown (it may still take effect)" : "");
    } else if (cause instanceof NodeStoppedException) {
      outcome = Outcome.NOT_RUNNING;
      message = messageOf(cause);
    } else {
      outcome = Outcome.FAILED;
      message = messageOf(cause);
    }
    return new RaftOperationResult(operation, outcome, message, null, null);
  }

  private static String messageOf(Throwable t) {
    String message = t.getMessage();
    return message != null ? message : t.toString();
  }

  private List<MemberDescriptor> members() {
    return raft.members().stream().map(MemberDescriptor::of).toList();
  }

  private Optional<RaftMember> member(long id) {
    return raft.members().stream().filter(m -> m.id() == id).findFirst();
  }

  private static long required(@Nullable Long id) {
    if (id == null) {
      throw invalid("Missing parameter 'id'");
    }
    if (id <= 0) {
      throw invalid("Invalid node id " + id + ": ids are positive");
    }
    return id;
  }

  private static URI parseUrl(@Nullable String url) {
    if (url == null || url.isBlank()) {
      throw invalid("Missing parameter 'url': the new member's base URL, e.g. http://node4:8080");
    }
    try {
      URI uri = new URI(url.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw invalid("Invalid url '" + url + "': expected an absolute http(s) URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw invalid("Invalid url '" + url + "': " + e.getMessage());
    }
  }

  private static InvalidEndpointRequestException notAMember(long id) {
    return invalid("node " + id + " is not a member of the cluster");
  }

  /** The message is the reason too, which is what a web response shows when messages are on. */
  private static InvalidEndpointRequestException invalid(String message) {
    return new InvalidEndpointRequestException(message, message);
  }

  /** The name of the operation a write or delete on {@code resource} performs. */
  static String operationName(String resource) {
    return switch (resource) {
      case LEARNERS -> "add-learner";
      case VOTERS -> "promote";
      case LEADER -> "transfer-leadership";
      case SNAPSHOT -> "snapshot";
      case MEMBERS -> "remove";
      default -> resource;
    };
  }

  static String roleName(StateType role) {
    return role.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  // --- descriptors ---------------------------------------------------------------------------------

  /** How an operation ended. */
  public enum Outcome {
    /** Done: applied on this node (membership), confirmed (leadership) or written (snapshot). */
    DONE,
    /**
     * The request was invalid; nothing was changed. Only in HTTP responses: the endpoint itself
     * throws {@link InvalidEndpointRequestException}, which the web extension turns into a 400
     * with this outcome and the exception's message.
     */
    INVALID,
    /** No leader is known; nothing was changed. Safe to retry. */
    NO_LEADER,
    /** Not confirmed in time; the outcome is unknown. Check the status before retrying. */
    TIMEOUT,
    /** The raft node is not running. */
    NOT_RUNNING,
    /** Failed for another reason, given in the message. */
    FAILED
  }

  /**
   * The outcome of a write or delete operation.
   *
   * @param members the members after a successful membership or leadership change (else null)
   * @param snapshotIndex the index of the snapshot taken (else null)
   */
  public record RaftOperationResult(
      String operation,
      Outcome outcome,
      String message,
      @Nullable List<MemberDescriptor> members,
      @Nullable Long snapshotIndex)
      implements OperationResponseBody {}

  /** A node's status. */
  public record RaftNodeDescriptor(
      long id,
      String role,
      long term,
      @Nullable LeaderDescriptor leader,
      long commit,
      long applied,
      long firstIndex,
      long lastIndex,
      long snapshotIndex,
      ConfigurationDescriptor configuration,
      List<MemberDescriptor> members,
      Map<Long, ProgressDescriptor> progress)
      implements OperationResponseBody {}

  /**
   * The leader as a node knows it.
   *
   * @param id null when no leader is known
   * @param local whether the node answering is the leader
   */
  public record LeaderDescriptor(@Nullable Long id, @Nullable URI url, boolean local)
      implements OperationResponseBody {}

  /** The voters and learners; {@code outgoingVoters} is non-empty only during a joint change. */
  public record ConfigurationDescriptor(
      List<Long> voters, List<Long> outgoingVoters, List<Long> learners) {}

  /** A member and the URL the node would reach it at (null if unknown). */
  public record MemberDescriptor(long id, @Nullable URI url, boolean voter) {

    static MemberDescriptor of(RaftMember m) {
      return new MemberDescriptor(m.id(), m.url(), m.voter());
    }
  }

  /**
   * The leader's view of one member's replication.
   *
   * @param lag entries the member is behind the leader's last index
   * @param state {@code probe}, {@code replicate} or {@code snapshot}
   * @param reachable false if the transport failed to reach it recently
   */
  public record ProgressDescriptor(
      long match,
      long next,
      long lag,
      String state,
      boolean recentActive,
      boolean reachable,
      int inflight) {

    static ProgressDescriptor of(PeerProgress pr, long lastIndex) {
      String state = pr.state().startsWith("State") ? pr.state().substring(5) : pr.state();
      return new ProgressDescriptor(
          pr.match(),
          pr.next(),
          Math.max(0, lastIndex - pr.match()),
          state.toLowerCase(Locale.ROOT),
          pr.recentActive(),
          pr.reachable(),
          pr.inflight());
    }
  }
}
