package dev.raftboot.spring.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The shape of every message a correct peer sends, checked on the message alone.
 *
 * <p>raft-core trusts its peers: some messages no correct node ever sends make it stop the node
 * (an append whose entries do not follow its index, a proposal without entries, a conf change that
 * does not decode), and others are misread (a term of 2^63 or more compares as negative). The
 * endpoint refuses them before they reach the node. The rules follow what raft-core's {@code send}
 * guarantees:
 *
 * <ul>
 *   <li>the type is one raft sends between nodes (not a local one, not one this node does not
 *       know);
 *   <li>forwarded proposals and read requests ({@code MsgProp}, {@code MsgReadIndex}) have no term,
 *       every other message has one;
 *   <li>terms and indexes are below 2^63;
 *   <li>an append's entries follow its index one by one, with terms that never go down, start at
 *       or above the term at the index and stay at or below the message's term;
 *   <li>a proposal has entries, a read request exactly one (its request context);
 *   <li>conf change entries decode.
 * </ul>
 *
 * <h2>The sender check</h2>
 *
 * <p>A request is signed by its sender ({@code Raft-From}); {@link #senderViolation} decides which
 * {@code from} its messages may carry. raft-core's {@code send} fills in {@code from} only when it
 * is empty, so a message it forwards keeps the {@code from} it had:
 *
 * <ul>
 *   <li>{@code MsgTransferLeader}: made locally with the transferee in {@code from} (etcd's
 *       convention), and forwarded by a follower to its leader as it is. A transfer asked of a
 *       follower therefore arrives from the follower carrying the transferee, any voter.
 *   <li>{@code MsgProp} and {@code MsgReadIndex}: forwarded by a follower to its leader; {@code
 *       from} is the follower, or the node that first sent it when a node that was leader received
 *       it, stepped down and forwarded it on to the new leader.
 *   <li>every other type is sent by the node that made it, with its own id.
 * </ul>
 *
 * So the three forwarded types may carry any member's id, and every other message must carry the
 * sender's. A node that holds the cluster secret is trusted to forward honestly: it could sign as
 * any node anyway. The check keeps a message of one member from being taken for another's where
 * that matters (votes, appends, their responses), for instance through a misrouted request.
 *
 * <p>Public so that an in-memory transport (raft-spring-boot-test's) refuses exactly what the
 * HTTP endpoint refuses.
 */
public final class PeerMessageRules {

  /** Every type raft-core sends to another node. */
  private static final Set<MessageType> PEER_TYPES =
      EnumSet.of(
          MessageType.MsgProp,
          MessageType.MsgApp,
          MessageType.MsgAppResp,
          MessageType.MsgVote,
          MessageType.MsgVoteResp,
          MessageType.MsgSnap,
          MessageType.MsgHeartbeat,
          MessageType.MsgHeartbeatResp,
          MessageType.MsgTransferLeader,
          MessageType.MsgTimeoutNow,
          MessageType.MsgReadIndex,
          MessageType.MsgReadIndexResp,
          MessageType.MsgPreVote,
          MessageType.MsgPreVoteResp);

  /** Messages raft forwards with the {@code from} they had: see the sender check. */
  private static final Set<MessageType> FORWARDED_FROM_ANOTHER =
      EnumSet.of(MessageType.MsgProp, MessageType.MsgReadIndex, MessageType.MsgTransferLeader);

  /** Requests a follower forwards to its leader: they carry no term. */
  private static final Set<MessageType> FORWARDED = EnumSet.of(MessageType.MsgProp, MessageType.MsgReadIndex);

  private PeerMessageRules() {}

  /** Why no correct peer sends {@code m}, or null if one could. Pure; safe from any thread. */
  public static @Nullable String violation(Message m) {
    MessageType type = m.getType();
    if (!m.hasType()) {
      return "has no type, or one this node does not know";
    }
    if (RaftUtil.isLocalMsg(type) || m.getResponsesCount() > 0) {
      return "is local to a node and never sent to peers";
    }
    if (!PEER_TYPES.contains(type)) {
      return "is never sent to peers";
    }
    if (FORWARDED.contains(type) && m.getTerm() != 0) {
      return "is forwarded to the leader without a term, but has term " + u(m.getTerm());
    }
    if (!FORWARDED.contains(type) && m.getTerm() == 0) {
      return "has no term";
    }
    String range = outOfRange(m);
    if (range != null) {
      return range;
    }
    return switch (type) {
      case MsgApp -> appendEntries(m);
      case MsgProp -> m.getEntriesCount() == 0 ? "proposes no entry" : confChanges(m);
      case MsgReadIndex ->
          m.getEntriesCount() == 1
              ? null
              : "carries " + m.getEntriesCount() + " entries instead of one request context";
      default -> null;
    };
  }

  /**
   * Why {@code m}, in a request signed by node {@code sender}, cannot carry its {@code from}, or
   * null if it can: the sender's id always, any member's on the types raft forwards.
   */
  public static @Nullable String senderViolation(Message m, long sender, LongPredicate isMember) {
    long from = m.getFrom();
    if (from == sender) {
      return null;
    }
    if (FORWARDED_FROM_ANOTHER.contains(m.getType())) {
      return from != 0 && isMember.test(from)
          ? null
          : "is forwarded for node " + u(from) + ", which is not a member of this cluster";
    }
    return "claims to come from node " + u(from) + " but the request is from node " + u(sender);
  }

  private static @Nullable String outOfRange(Message m) {
    String field =
        tooLarge(m.getTerm()) ? "term"
            : tooLarge(m.getLogTerm()) ? "logTerm"
            : tooLarge(m.getIndex()) ? "index"
            : tooLarge(m.getCommit()) ? "commit"
            : tooLarge(m.getRejectHint()) ? "rejectHint"
            : m.hasSnapshot() && tooLarge(m.getSnapshot().getMetadata().getIndex()) ? "snapshot index"
            : m.hasSnapshot() && tooLarge(m.getSnapshot().getMetadata().getTerm()) ? "snapshot term"
            : null;
    if (field != null) {
      return "has a " + field + " of 2^63 or more, which no raft node reaches";
    }
    for (int i = 0; i < m.getEntriesCount(); i++) {
      Entry e = m.getEntries(i);
      if (tooLarge(e.getTerm()) || tooLarge(e.getIndex())) {
        return "has entry " + i + " with a term or index of 2^63 or more, which no raft node reaches";
      }
    }
    return null;
  }

  private static @Nullable String appendEntries(Message m) {
    long previousTerm = m.getLogTerm();
    for (int i = 0; i < m.getEntriesCount(); i++) {
      Entry e = m.getEntries(i);
      if (e.getIndex() != m.getIndex() + 1 + i) {
        return "has entry "
            + i
            + " at index "
            + u(e.getIndex())
            + " where "
            + u(m.getIndex() + 1 + i)
            + " follows";
      }
      if (e.getTerm() < previousTerm || e.getTerm() > m.getTerm()) {
        return "has entry "
            + i
            + " of term "
            + u(e.getTerm())
            + ", outside ["
            + u(previousTerm)
            + ", "
            + u(m.getTerm())
            + "]";
      }
      previousTerm = e.getTerm();
    }
    return confChanges(m);
  }

  private static @Nullable String confChanges(Message m) {
    for (int i = 0; i < m.getEntriesCount(); i++) {
      Entry e = m.getEntries(i);
      try {
        if (e.getType() == EntryType.EntryConfChange) {
          ConfChange.parseFrom(e.getData());
        } else if (e.getType() == EntryType.EntryConfChangeV2) {
          ConfChangeV2.parseFrom(e.getData());
        }
      } catch (InvalidProtocolBufferException ex) {
        return "has entry " + i + " whose " + e.getType() + " does not decode";
      }
    }
    return null;
  }

  private static boolean tooLarge(long unsigned) {
    return unsigned < 0;
  }

  private static String u(long v) {
    return Long.toUnsignedString(v);
  }
}
