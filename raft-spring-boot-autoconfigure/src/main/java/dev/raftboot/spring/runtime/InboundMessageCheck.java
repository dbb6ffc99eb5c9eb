package dev.raftboot.spring.runtime;

import dev.raftboot.RawNode;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.storage.RaftStorage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, on the raft loop thread, the peer messages that contradict this node's own state in
 * ways no correct peer can. The peer endpoint already refused what is wrong on a message alone;
 * raft-core treats these as corruption and would stop the node, so they are dropped (and logged)
 * and the node stays as it was.
 */
final class InboundMessageCheck {

  private static final Logger log = LoggerFactory.getLogger(InboundMessageCheck.class);

  private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final long nodeId;
  private final RawNode rawNode;
  private final RaftStorage storage;
  /** The last index of this node's log, durable or not (raft's, not the storage's). */
  private long logLastIndex;
  private long lastDropWarning = System.nanoTime() - DROP_WARNING_INTERVAL_NANOS;

  InboundMessageCheck(long nodeId, RawNode rawNode, RaftStorage storage) {
    this.nodeId = nodeId;
    this.rawNode = rawNode;
    this.storage = storage;
    this.logLastIndex = storage.lastIndex();
  }

  /** The raft loop took a Ready whose log now ends at {@code lastIndex}. */
  void appended(long lastIndex) {
    logLastIndex = lastIndex;
  }

  /** Whether {@code m} may be stepped; if not, says why in the log. */
  boolean admits(Message m) {
    String contradiction = contradiction(m);
    if (contradiction == null) {
      return true;
    }
    // At most one warning a minute: a faulty peer may send the same thing many times a second.
    long now = System.nanoTime();
    boolean warn = now - lastDropWarning >= DROP_WARNING_INTERVAL_NANOS;
    if (warn) {
      lastDropWarning = now;
    }
    String format = "raft node {} dropped {} from node {}: {}";
    Object[] args = {nodeId, m.getType(), Long.toUnsignedString(m.getFrom()), contradiction};
    if (warn) {
      log.warn(format, args);
    } else {
      log.debug(format, args);
    }
    return false;
  }

  /** Why {@code m}, from a peer, must not be stepped, or null. */
  private String contradiction(Message m) {
    switch (m.getType()) {
      case MsgHeartbeat -> {
        // A leader's heartbeat commits at most what this node acknowledged, and it acknowledges
        // entries only once they are stored.
        long last = storage.lastIndex();
        if (m.getCommit() > last) {
          return "it commits index " + m.getCommit() + " but this node's log ends at " + last;
        }
      }
      case MsgAppResp -> {
        // A follower acknowledges what its leader sent. The leader sends its entries before its
        // own write is durable, so the check is against its log, not its storage.
        long last = logLastIndex;
        if (!m.getReject() && m.getIndex() > last) {
          return "it acknowledges index " + m.getIndex() + " but this node's log ends at " + last;
        }
      }
      case MsgTransferLeader -> {
        // Followers forward a transfer request to their leader, which is where it ends; a follower
        // would forward it again, which raft-core refuses as a message with a term.
        if (rawNode.basicStatus().softState().raftState() != StateType.LEADER) {
          return "this node does not lead";
        }
      }
      case MsgSnap -> {
        try {
          SnapshotEnvelope.decode(m.getSnapshot().getData());
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
      }
      default -> {}
    }
    return null;
  }
}
