package dev.raftboot.spring.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.RaftException;
import dev.raftboot.RawNode;
import dev.raftboot.Ready;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.transport.RaftTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raft loop: the one thread that owns the {@link RawNode}. Each turn it ticks when a tick is
 * due, handles every {@link LoopInput} queued meanwhile, proposes the commands and starts the read
 * rounds they brought, and processes the Ready: messages that promise nothing go out at once (the
 * leader may send its appends before its own write, Raft thesis 10.2.1), the {@link PersistStage}
 * writes the state and then sends the rest, and committed entries, installed snapshots and
 * confirmed reads go to the {@link ApplyLoop}. Concurrent callers are thereby batched into one
 * Ready, one storage transaction and one request per peer.
 */
final class RaftLoop {

  private static final Logger log = LoggerFactory.getLogger(RaftLoop.class);

  private final RawNode rawNode;
  private final NodeState state;
  private final LoopInbox inbox;
  private final PendingCommands pending;
  private final Proposals proposals;
  private final Reads reads;
  private final InboundMessageCheck inbound;
  private final PersistStage persist;
  private final ApplyLoop apply;
  private final RaftTransport transport;
  private final long tickNanos;
  private long ticks;
  private long lastLeader;

  RaftLoop(
      RawNode rawNode,
      RaftServerSettings settings,
      NodeState state,
      LoopInbox inbox,
      PendingCommands pending,
      InboundMessageCheck inbound,
      PersistStage persist,
      ApplyLoop apply,
      RaftTransport transport) {
    this.rawNode = rawNode;
    this.state = state;
    this.inbox = inbox;
    this.pending = pending;
    this.proposals = new Proposals(rawNode, pending);
    this.reads = new Reads(rawNode, state, settings);
    this.inbound = inbound;
    this.persist = persist;
    this.apply = apply;
    this.transport = transport;
    this.tickNanos = settings.tickInterval().toNanos();
  }

  /** The thread's body: runs until the node stops, or stops it after an unexpected error. */
  void run() {
    long nextTick = System.nanoTime() + tickNanos;
    List<LoopInput> batch = new ArrayList<>();
    while (state.serving()) {
      try {
        long now = System.nanoTime();
        if (now >= nextTick) {
          rawNode.tick();
          ticks++;
          proposals.retryParked();
          // Do not try to catch up on missed ticks after a pause: that would fire timeouts at once.
          nextTick = Math.max(nextTick + tickNanos, now);
          if (ticks % 10 == 0) {
            expireTimedOut();
          }
        }
        if (inbox.takeAll(nextTick - System.nanoTime(), batch)) {
          for (LoopInput input : batch) {
            handle(input);
          }
          batch.clear();
        }
        proposals.flush();
        reads.issue(ticks);
        if (rawNode.hasReady()) {
          processReady(rawNode.ready());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // A storage failure was reported once, by PersistStage.writeFailed; anything else is fatal
        // too: continuing could acknowledge unpersisted data.
        if (state.storageFailure() == null) {
          log.error("raft node {} stops after an unexpected error", state.nodeId(), e);
          state.running(false);
        }
        return;
      }
    }
  }

  /**
   * Once the loop has ended: the request ids that never reached raft, parked or still in the
   * inbox. Every other pending command left this node and may still commit. The reads the loop
   * still held fail with {@code readFailure}.
   */
  Set<Long> neverProposed(RuntimeException readFailure) {
    reads.failAll(readFailure);
    Set<Long> ids = proposals.unproposedIds();
    for (LoopInput input : inbox.drain()) {
      if (input instanceof LoopInput.Propose p) {
        ids.add(p.proposal().requestId());
      } else if (input instanceof LoopInput.Read r) {
        r.read().future().completeExceptionally(readFailure);
      }
    }
    return ids;
  }

  private void expireTimedOut() {
    long now = System.nanoTime();
    pending.expire(now, proposals.unproposedIds());
    reads.expire(now, ticks);
  }

  private void processReady(Ready rd) {
    if (rd.softState() != null) {
      state.role(rd.softState().raftState());
      if (rd.softState().lead() != lastLeader) {
        lastLeader = rd.softState().lead();
        state.leaderId(lastLeader);
        state.leaderChanges.incrementAndGet();
        long term = rawNode.basicStatus().hardState().getTerm();
        apply.offer(new ApplyInput.LeaderChanged(term, lastLeader));
      }
    }
    List<Message> afterDurable = new ArrayList<>();
    for (Message m : rd.messages()) {
      if (m.getType() == MessageType.MsgSnap) {
        state.snapshotsSent.incrementAndGet();
      }
      if (promisesDurability(m.getType())) {
        afterDurable.add(m);
      } else {
        transport.send(m);
      }
    }
    persist.persist(new PersistStage.Write(rd, afterDurable));
    if (rd.hasSnapshot()) {
      apply.offer(new ApplyInput.InstallSnapshot(rd.snapshot()));
    }
    reads.confirmed(rd.readStates()).forEach(apply::offer);
    if (!rd.committedEntries().isEmpty()) {
      List<Entry> ents = rd.committedEntries();
      List<ConfState> confStates = new ArrayList<>(ents.size());
      for (Entry e : ents) {
        confStates.add(applyConfChangeIfAny(e));
      }
      apply.offer(new ApplyInput.Committed(ents, confStates));
    }
    rawNode.advance();
  }

  private static boolean promisesDurability(MessageType t) {
    return t == MessageType.MsgAppResp || t == MessageType.MsgVoteResp || t == MessageType.MsgPreVoteResp;
  }

  /** Conf changes take effect in raft on the loop thread, in log order, before advance. */
  private ConfState applyConfChangeIfAny(Entry e) {
    try {
      if (e.getType() == EntryType.EntryConfChange) {
        return rawNode.applyConfChange(ConfChange.parseFrom(e.getData()));
      } else if (e.getType() == EntryType.EntryConfChangeV2) {
        return rawNode.applyConfChange(ConfChangeV2.parseFrom(e.getData()));
      }
      return null;
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException("corrupt conf change at index " + e.getIndex(), ex);
    }
  }

  /**
   * The one switch over the kinds of {@link LoopInput} (Java 17 has no pattern matching in {@code
   * switch}: a kind added without a branch here fails loudly on its first use).
   */
  void handle(LoopInput input) {
    if (input instanceof LoopInput.Propose p) {
      proposals.add(p.proposal());
    } else if (input instanceof LoopInput.Read r) {
      reads.add(r.read());
    } else if (input instanceof LoopInput.Step s) {
      step(s.message());
    } else if (input instanceof LoopInput.ReportUnreachable u) {
      rawNode.reportUnreachable(u.peerId());
    } else if (input instanceof LoopInput.ReportSnapshot r) {
      rawNode.reportSnapshot(r.peerId(), r.status());
    } else if (input instanceof LoopInput.StatusQuery q) {
      answer(q.reply(), rawNode::status);
    } else if (input instanceof LoopInput.LeaderQuery q) {
      answer(q.reply(), () -> rawNode.basicStatus().softState().lead());
    } else if (input instanceof LoopInput.TransferLeader t) {
      answer(
          t.reply(),
          () -> {
            rawNode.transferLeader(t.transferee());
            return null;
          });
    } else if (input instanceof LoopInput.SnapshotTaken t) {
      persist.snapshotTaken(t);
    } else if (!(input instanceof LoopInput.Wake)) {
      // Wake needs nothing: the loop checks whether it still runs once the inputs are handled.
      throw new IllegalStateException("no handling for " + input);
    }
  }

  private void step(Message m) {
    if (!inbound.admits(m)) {
      return;
    }
    try {
      rawNode.step(m);
    } catch (RaftException e) {
      log.debug("dropped message from {}: {}", m.getFrom(), e.getMessage());
    }
  }

  private static <T> void answer(CompletableFuture<T> reply, Supplier<T> question) {
    try {
      reply.complete(question.get());
    } catch (RuntimeException e) {
      reply.completeExceptionally(e);
    }
  }
}
