package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.ProposalDroppedException;
import dev.raftboot.RawNode;
import dev.raftboot.raftpb.ConfChangeType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What this node proposes to raft, on the raft loop thread: commands collected in one turn of the
 * loop go out together, and what raft drops (no leader yet, a leadership transfer, the
 * uncommitted-size limit) is parked and retried every tick, and as soon as a leader is known,
 * until it is accepted or its caller times out. Submission order holds throughout: new proposals
 * queue behind parked ones, and a membership change flushes the commands submitted before it.
 */
final class Proposals {

  /** The most commands proposed in one {@code MsgProp}. */
  static final int MAX_PROPOSAL_BATCH = 1024;

  private final RawNode rawNode;
  private final PendingCommands pending;
  /** Proposals raft dropped, in submission order. */
  private final ArrayDeque<Proposal> parked = new ArrayDeque<>();
  /** Commands submitted in this turn of the loop, proposed together by {@link #flush}. */
  private final List<Proposal.Command> toPropose = new ArrayList<>();

  Proposals(RawNode rawNode, PendingCommands pending) {
    this.rawNode = rawNode;
    this.pending = pending;
  }

  void add(Proposal proposal) {
    if (proposal instanceof Proposal.Command command) {
      toPropose.add(command);
    } else {
      flush();
      if (!parked.isEmpty() || !tryPropose(proposal)) {
        parked.add(proposal);
      }
    }
  }

  /**
   * Proposes the commands collected in this turn of the loop: one {@code MsgProp} per {@link
   * #MAX_PROPOSAL_BATCH} commands, so that the leader appends them in one go and sends each
   * follower one append for all of them instead of one per command.
   */
  void flush() {
    if (toPropose.isEmpty()) {
      return;
    }
    if (!parked.isEmpty()) {
      parked.addAll(toPropose);
    } else {
      proposeCommands(toPropose, true);
    }
    toPropose.clear();
  }

  /**
   * Called every tick and when a new leader is known: proposes the parked proposals again, oldest
   * first, until raft drops one. Only the accepted ones leave the parked queue (and {@link
   * #unproposedIds}).
   */
  void retryParked() {
    List<Proposal.Command> run = new ArrayList<>();
    while (!parked.isEmpty()) {
      Proposal p = parked.peek();
      if (!pending.isPending(p.requestId())) {
        parked.poll(); // timed out meanwhile
      } else if (p instanceof Proposal.Command) {
        // Retry the run of commands at the head of the queue together.
        run.clear();
        for (Proposal q : parked) {
          if (!(q instanceof Proposal.Command command)) {
            break;
          }
          run.add(command);
        }
        int accepted = proposeCommands(run, false);
        for (int k = 0; k < accepted; k++) {
          parked.poll();
        }
        if (accepted < run.size()) {
          return;
        }
      } else if (tryPropose(p)) {
        parked.poll();
      } else {
        return;
      }
    }
  }

  /**
   * The request ids raft has not accepted (parked, or collected and not yet proposed): these
   * proposals never left this node, so their callers may be told they were not applied.
   */
  Set<Long> unproposedIds() {
    Set<Long> ids = new HashSet<>();
    parked.forEach(p -> ids.add(p.requestId()));
    toPropose.forEach(p -> ids.add(p.requestId()));
    return ids;
  }

  /**
   * Proposes {@code commands} in batches; when raft drops one, it and everything after it are
   * parked if {@code park}. Returns how many were accepted.
   */
  private int proposeCommands(List<Proposal.Command> commands, boolean park) {
    int to = commands.size();
    List<ByteString> data = new ArrayList<>(Math.min(to, MAX_PROPOSAL_BATCH));
    int i = 0;
    while (i < to) {
      int end = Math.min(to, i + MAX_PROPOSAL_BATCH);
      data.clear();
      for (int k = i; k < end; k++) {
        data.add(commands.get(k).data());
      }
      try {
        rawNode.propose(data);
      } catch (ProposalDroppedException e) {
        if (park) {
          parked.addAll(commands.subList(i, to));
        }
        return i;
      }
      i = end;
    }
    return to;
  }

  private boolean tryPropose(Proposal p) {
    try {
      if (p instanceof Proposal.Command command) {
        rawNode.propose(command.data());
      } else if (p instanceof Proposal.MembershipChange change) {
        proposeChecked(change);
      }
      return true;
    } catch (ProposalDroppedException e) {
      return false;
    }
  }

  /** Proposes {@code change}, unless it removes a voter too early: then its caller is told why. */
  private void proposeChecked(Proposal.MembershipChange change) {
    String risk =
        change.change().getType() == ConfChangeType.ConfChangeRemoveNode
            ? Membership.removalRisk(rawNode.status(), change.change().getNodeId())
            : null;
    if (risk == null) {
      rawNode.proposeConfChange(change.change());
    } else {
      pending.settle(change.requestId(), null, new IllegalStateException(risk));
    }
  }
}
