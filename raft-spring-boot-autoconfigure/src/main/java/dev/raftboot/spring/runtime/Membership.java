package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.RaftUtil;
import dev.raftboot.StateType;
import dev.raftboot.Status;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.tracker.Progress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership: proposing conf changes (with the checks that keep a quorum electable), leadership
 * transfer, and the address book, which follows the conf change entries as the apply thread
 * applies them. The proposing methods are called from any thread and talk to the raft loop through
 * the {@link LoopInbox}; {@link #apply} and {@link #restore} run on the apply thread.
 */
final class Membership {

  private static final Logger log = LoggerFactory.getLogger(Membership.class);

  private final RaftServerSettings settings;
  private final NodeState state;
  private final LoopInbox inbox;
  private final PendingCommands pending;
  private final RaftTransport transport;
  private final RaftEvents events;

  Membership(
      RaftServerSettings settings,
      NodeState state,
      LoopInbox inbox,
      PendingCommands pending,
      RaftTransport transport,
      RaftEvents events) {
    this.settings = settings;
    this.state = state;
    this.inbox = inbox;
    this.pending = pending;
    this.transport = transport;
    this.events = events;
  }

  /** Every voter (outgoing ones of a joint configuration too) and learner, with its address. */
  List<RaftMember> members() {
    ConfState cs = state.confState();
    Map<Long, URI> addresses = state.addresses();
    List<RaftMember> out = new ArrayList<>();
    Set<Long> voters = new TreeSet<>(cs.getVotersList());
    voters.addAll(cs.getVotersOutgoingList());
    for (long id : voters) {
      out.add(new RaftMember(id, addresses.get(id), true));
    }
    for (long id : cs.getLearnersList()) {
      out.add(new RaftMember(id, addresses.get(id), false));
    }
    return out;
  }

  /** Whether {@code id} may send this node raft messages. */
  boolean isMember(long id) {
    ConfState cs = state.confState();
    if (cs.getVotersList().isEmpty() && cs.getLearnersList().isEmpty()) {
      // A node that is joining knows no configuration yet: the leader that adds it may be any
      // member, so the cluster id and peer token are the only checks that apply.
      return true;
    }
    return cs.getVotersList().contains(id)
        || cs.getLearnersList().contains(id)
        || cs.getVotersOutgoingList().contains(id)
        || state.addresses().containsKey(id);
  }

  CompletableFuture<Void> addLearner(long id, URI url) {
    return proposeConfChange(ConfChangeType.ConfChangeAddLearnerNode, id, url);
  }

  CompletableFuture<Void> promote(long id) {
    return proposeConfChange(ConfChangeType.ConfChangeAddNode, id, state.addresses().get(id));
  }

  CompletableFuture<Void> remove(long id) {
    ConfState cs = state.confState();
    if (cs.getVotersCount() == 2 && cs.getVotersList().contains(id)) {
      // The one voter left is not a quorum of the two: if the leaver's log is ahead of it, the
      // leaver refuses it a vote while no longer campaigning itself, and nothing commits again
      // (etcd-io/etcd#12359).
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "refusing to remove voter "
                  + Long.toUnsignedString(id)
                  + " of two voters: the remaining voter alone could be left unable to win an"
                  + " election; add and promote another voter first"));
    }
    return proposeConfChange(ConfChangeType.ConfChangeRemoveNode, id, null);
  }

  private CompletableFuture<Void> proposeConfChange(ConfChangeType type, long id, URI url) {
    if (id == 0 || RaftUtil.isLocalTarget(id)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("invalid node id " + id));
    }
    if (!state.serving()) {
      return CompletableFuture.failedFuture(state.notServing());
    }
    long changeId = state.nextRequestId();
    CompletableFuture<Object> f =
        pending.register(changeId, System.nanoTime() + settings.commandTimeout().toNanos());
    ConfChange.Builder cc = ConfChange.newBuilder().setType(type).setNodeId(id).setId(changeId);
    if (url != null) {
      cc.setContext(urlBytes(url));
    }
    inbox.put(new LoopInput.Propose(new Proposal.MembershipChange(changeId, cc.build())));
    return f.thenApply(x -> null);
  }

  /**
   * Why removing voter {@code id} must wait, judged on the leader, or null: the voters that stay
   * and have caught up with the commit index must be a quorum of the new voters (etcd's strict
   * reconfiguration check). A stayer far behind may not know the newest configuration, and a
   * quorum that depends on it may not elect a leader again. Null when the removal may go ahead.
   */
  static String removalRisk(Status st, long id) {
    if (st.raftState() != StateType.LEADER || st.progress() == null) {
      return null; // only the leader knows the followers' progress; it is forwarded there
    }
    Set<Long> voters = st.config().voters().ids();
    if (!voters.contains(id)) {
      return null;
    }
    int stay = voters.size() - 1;
    int caughtUp = 0;
    for (long v : voters) {
      Progress pr = st.progress().get(v);
      if (v != id && pr != null && pr.match() >= st.commit()) {
        caughtUp++;
      }
    }
    if (caughtUp >= stay / 2 + 1) {
      return null;
    }
    return "refusing to remove voter "
        + Long.toUnsignedString(id)
        + ": only "
        + caughtUp
        + " of the "
        + stay
        + " voters that would stay have caught up with the log, fewer than a quorum of them;"
        + " wait until they catch up";
  }

  /** Asks the leader to hand over to {@code id}; completes once this node sees {@code id} lead. */
  CompletableFuture<Void> transferLeadership(long id) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
    inbox
        .<Void>ask(reply -> new LoopInput.TransferLeader(id, reply))
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                done.completeExceptionally(err);
              } else {
                pollLeader(id, deadline, done);
              }
            });
    return done;
  }

  private void pollLeader(long id, long deadline, CompletableFuture<Void> done) {
    inbox
        .<Long>ask(LoopInput.LeaderQuery::new)
        .whenComplete(
            (lead, err) -> {
              if (err != null) {
                done.completeExceptionally(err);
              } else if (lead == id) {
                done.complete(null);
              } else if (System.nanoTime() - deadline > 0) {
                done.completeExceptionally(
                    new CommandTimeoutException("leadership did not move to " + id + " in time"));
              } else {
                CompletableFuture.delayedExecutor(
                        settings.tickInterval().toNanos(), TimeUnit.NANOSECONDS)
                    .execute(() -> pollLeader(id, deadline, done));
              }
            });
  }

  /** On a graceful stop a leader first hands over to the most up-to-date voter. */
  void handOverLeadership() {
    try {
      Status st = inbox.<Status>ask(LoopInput.StatusQuery::new).get(2, TimeUnit.SECONDS);
      if (st.raftState() != StateType.LEADER || st.progress() == null) {
        return;
      }
      long best = 0;
      long bestMatch = -1;
      for (Map.Entry<Long, Progress> e : st.progress().entrySet()) {
        long id = e.getKey();
        if (id != settings.nodeId()
            && st.config().voters().ids().contains(id)
            && e.getValue().match() > bestMatch) {
          best = id;
          bestMatch = e.getValue().match();
        }
      }
      if (best == 0) {
        return;
      }
      log.info("raft node {} handing leadership to {} before stopping", settings.nodeId(), best);
      transferLeadership(best).get(electionTimeoutMillis(settings) * 2, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.info("raft node {} stops without a leadership transfer: {}", settings.nodeId(), e.toString());
    }
  }

  /**
   * On the apply thread: takes a conf change entry into the address book, publishes the new
   * configuration {@code cs} (null if raft ignored the change) and completes the caller that
   * proposed it here. True when it adds a node, as voter or learner.
   */
  boolean apply(Entry e, ConfState cs) {
    ConfChangeV2 cc;
    long changeId = 0;
    try {
      if (e.getType() == EntryType.EntryConfChange) {
        ConfChange v1 = ConfChange.parseFrom(e.getData());
        changeId = v1.getId();
        cc =
            ConfChangeV2.newBuilder()
                .addChanges(
                    ConfChangeSingle.newBuilder().setType(v1.getType()).setNodeId(v1.getNodeId()))
                .setContext(v1.getContext())
                .build();
      } else {
        cc = ConfChangeV2.parseFrom(e.getData());
      }
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException("corrupt conf change at index " + e.getIndex(), ex);
    }
    Map<Long, URI> addresses = state.addresses();
    Map<Long, URI> book = new TreeMap<>(addresses);
    boolean added = false;
    for (ConfChangeSingle change : cc.getChangesList()) {
      added |=
          change.getType() != ConfChangeType.ConfChangeRemoveNode
              && !addresses.containsKey(change.getNodeId());
      if (change.getType() == ConfChangeType.ConfChangeRemoveNode) {
        book.remove(change.getNodeId());
      } else if (!cc.getContext().isEmpty() && cc.getChangesCount() == 1) {
        book.put(change.getNodeId(), URI.create(cc.getContext().toStringUtf8()));
      }
    }
    state.addresses(book);
    transport.updatePeers(state.peers());
    if (cs != null) {
      state.confState(cs);
      events.membershipChanged(cs);
    }
    if (changeId != 0) {
      pending.settle(changeId, null, null);
    }
    return added;
  }

  /** Takes the address book a snapshot carried (none in snapshots of older versions). */
  void restore(Map<Long, URI> addresses) {
    if (addresses.isEmpty()) {
      return;
    }
    state.addresses(addresses);
    if (state.running()) {
      transport.updatePeers(state.peers());
    }
  }

  static long electionTimeoutMillis(RaftServerSettings settings) {
    return settings.tickInterval().toMillis() * settings.raft().electionTick();
  }

  static ByteString urlBytes(URI url) {
    return ByteString.copyFrom(url.toString(), StandardCharsets.UTF_8);
  }
}
