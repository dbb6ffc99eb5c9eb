package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.SnapshotStatus;
import dev.raftboot.Status;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What other threads hand to the raft loop: one record per kind of input, as etcd's {@code
 * node.go} has one channel per kind. Callers put them on the {@link LoopInbox}; the {@link
 * RaftLoop} takes everything queued in one turn and handles each in {@link RaftLoop#handle}, the
 * one place that dispatches on the kind.
 */
sealed interface LoopInput {

  /** A command or membership change to propose, from a caller thread. */
  record Propose(Proposal proposal) implements LoopInput {}

  /** A read that waits for a ReadIndex round (or the lease), from a caller thread. */
  record Read(Reads.PendingRead read) implements LoopInput {}

  /** A message from a peer, from the transport's receiving thread. */
  record Step(Message message) implements LoopInput {}

  /** The transport could not deliver to {@code peerId}. */
  record ReportUnreachable(long peerId) implements LoopInput {}

  /** How sending a snapshot to {@code peerId} ended. */
  record ReportSnapshot(long peerId, SnapshotStatus status) implements LoopInput {}

  /** Asks for raft's full status; {@code reply} completes on the raft loop. */
  record StatusQuery(CompletableFuture<Status> reply) implements LoopInput {}

  /** Asks whom raft follows now (0: no one); cheaper than a {@link StatusQuery}. */
  record LeaderQuery(CompletableFuture<Long> reply) implements LoopInput {}

  /** Asks the leader to hand leadership to {@code transferee}; {@code reply} once raft took it. */
  record TransferLeader(long transferee, CompletableFuture<Void> reply) implements LoopInput {}

  /** The apply thread snapshotted the state at {@code index}: store it and compact the log. */
  record SnapshotTaken(long index, ConfState confState, ByteString data) implements LoopInput {}

  /**
   * Self-addressed responses the persist stage released once their write was durable (this node's
   * own append acknowledgements and votes, and the {@code MsgStorageAppendResp}s), in log order.
   */
  record Persisted(List<Message> responses) implements LoopInput {}

  /** Wakes the loop so that it sees it must stop. */
  record Wake() implements LoopInput {}
}
