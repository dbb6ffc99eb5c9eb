package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfChange;

/**
 * Something this node asks raft to append, identified by the request id its caller waits on in
 * {@link PendingCommands}.
 */
sealed interface Proposal {

  long requestId();

  /** A replicated command: {@code data} is its encoded {@link CommandEnvelope}. */
  record Command(long requestId, ByteString data) implements Proposal {}

  /** A membership change; its {@link ConfChange#getId()} is the request id. */
  record MembershipChange(long requestId, ConfChange change) implements Proposal {}
}
