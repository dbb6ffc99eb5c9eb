package dev.raftboot.spring.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.RaftException;
import dev.raftboot.RaftUtil;
import dev.raftboot.RawNode;
import dev.raftboot.Ready;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.api.NodeStoppedException;
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
 * rounds they brought, and processes the Ready: peer messages go out at once (the leader sends its
 * appends before its own write, Raft thesis 10.2.1), the write (raft-core's {@code
 * MsgStorageAppend}, with the acknowledgements and votes that wait for it) goes to the {@link
 * PersistStage}'s thread, and committed entries and confirmed reads go to the {@link ApplyLoop}.
 * It never waits for the disk: it keeps stepping acknowledgements and taking proposals while a
 * write runs. Concurrent callers are thereby batched into one Ready, one request per peer, and
 * (group commit) one storage transaction per write in flight.
 *
 * <p>Processing a Ready can itself make the next one: the loop steps the apply acknowledgements of
 * the committed entries (which releases more of them under {@code maxCommittedSizePerReady}) and
 * applies their conf changes (after which a leader sends to new members), and proposals parked for
 * want of a leader are proposed again as soon as a Ready reports one. Such a Ready is processed in
 * the same turn, up to {@link #MAX_READIES_PER_TURN} in all; if raft has one left after that, the
 * next turn takes the inputs queued meanwhile without waiting and goes on. No Ready waits for an
 * input or a tick. Every Ready is processed as the one of a turn is, in the order raft made them,
 * so the ordering above holds across them: each Ready's write is handed to the persist stage
 * after the previous one's, and what promises durability still leaves only with its write.
 */
final class RaftLoop {

  private static final Logger log = LoggerFactory.getLogger(RaftLoop.class);

  /**
   * The most Readies processed in one turn: enough for the ones processing makes, few enough that
   * the inputs queued meanwhile (acknowledgements, proposals) are not kept waiting behind a long
   * run of them.
   */
  static final int MAX_READIES_PER_TURN = 4;

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
  private final NodeFault fault;
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
      RaftTransport transport,
      NodeFault fault) {
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
    this.fault = fault;
    this.tickNanos = settings.tickInterval().toNanos();
  }

  /** The thread's body: runs until the node stops, or stops it after an unexpected error. */
  void run() {
    try {
      turns();
    } finally {
      // However the loop ended (stop, a failed write, an unexpected error): the persist thread
      // stops too, and every waiting caller learns whether its command certainly was not applied.
      persist.offer(new PersistInput.Wake());
      NodeState.Failure failure = state.failure();
      if (failure != null) {
        pending.failAll(neverProposed(state.notServing()), failure.stopped(state.nodeId()));
      } else {
        pending.failAll(neverProposed(new NodeStoppedException("raft node stopped; nothing was read")));
      }
    }
  }

  private void turns() {
    long nextTick = System.nanoTime() + tickNanos;
    List<LoopInput> batch = new ArrayList<>();
    boolean readyLeft = false;
    while (state.serving()) {
      try {
        long now = System.nanoTime();
        if (now >= nextTick) {
          rawNode.tick();
          ticks++;
          proposals.retryParked();
          // Do not try to catch up on missed ticks after a pause: that would fire timeouts at once.
          nextTick = Math.max(nextTick + tickNanos, now);
          expireTimedOut();
        }
        if (inbox.takeAll(readyLeft ? 0 : nextTick - System.nanoTime(), batch)) {
          for (LoopInput input : batch) {
            handle(input);
          }
          batch.clear();
        }
        proposals.flush();
        reads.issue(ticks);
        readyLeft = processReadies();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // Continuing could acknowledge unpersisted data: the node stops taking part, as after a
        // failed write (recorded once: an error after a failed write changes nothing).
        fault.unexpected("raft loop", e, true);
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
    pending.expire(now, proposals::unproposedIds);
    reads.expire(now, ticks);
  }

  /**
   * Processes raft's Readies, up to {@link #MAX_READIES_PER_TURN}, and returns whether it has one
   * left: the next turn must then not wait.
   */
  private boolean processReadies() {
    for (int n = 0; n < MAX_READIES_PER_TURN; n++) {
      if (!rawNode.hasReady()) {
        return false;
      }
      processReady(rawNode.ready());
    }
    return rawNode.hasReady();
  }

  private void processReady(Ready rd) {
    boolean leaderAppeared = false;
    long term = 0;
    if (rd.softState() != null) {
      state.role(rd.softState().raftState());
      if (rd.softState().lead() != lastLeader) {
        lastLeader = rd.softState().lead();
        leaderAppeared = lastLeader != RaftUtil.NONE;
        state.leaderId(lastLeader);
        state.leaderChanges.incrementAndGet();
        term = rawNode.basicStatus().hardState().getTerm();
        apply.offer(new ApplyInput.LeaderChanged(term, lastLeader));
      }
    }
    if (!rd.entries().isEmpty()) {
      inbound.appended(rd.entries().get(rd.entries().size() - 1).getIndex());
      traceEntries(rd.entries());
    } else if (rd.hasSnapshot()) {
      inbound.appended(rd.snapshot().getMetadata().getIndex());
    }
    // Committed entries first: they are durable here already (raft-core hands out no others in
    // this mode), and their callers wait for nothing else, so the apply thread starts on them
    // while this thread hands over the write and the messages of the same Ready.
    for (Message m : rd.messages()) {
      if (m.getTo() == RaftUtil.LOCAL_APPLY_THREAD) {
        committed(m);
      }
    }
    // Asynchronous storage writes: the messages that promise durability are not among these;
    // they ride in the MsgStorageAppend and leave only once the persist stage has written it.
    for (Message m : rd.messages()) {
      if (m.getTo() == RaftUtil.LOCAL_APPEND_THREAD) {
        persist.offer(new PersistInput.Append(m));
      } else if (m.getTo() != RaftUtil.LOCAL_APPLY_THREAD) {
        if (m.getType() == MessageType.MsgSnap) {
          state.snapshotsSent.incrementAndGet();
        }
        StageEvent.message(StageEvent.Stage.SEND, state.nodeId(), m);
        transport.send(m);
      }
    }
    reads.confirmed(rd.readStates()).forEach(apply::offer);
    if (leaderAppeared) {
      // What was dropped for want of a leader may go now, not a tick later; raft appends (or
      // forwards) it in the next Ready, after this one's write and messages.
      proposals.retryParked();
      reads.leaderChanged(lastLeader, term, ticks);
    }
  }

  /**
   * Hands committed entries, durable here (raft-core gives them only then in this mode), to the
   * apply loop. Their conf changes take effect in raft now, on this thread, in log order; raft is
   * told they are applied at once, as {@code advance()} did in the synchronous mode: raft's
   * applied index only bounds flow control and conf-change bookkeeping, which the conf changes
   * applied here already settle.
   */
  private void committed(Message storageApply) {
    List<Entry> ents = storageApply.getEntriesList();
    List<ConfState> confStates = new ArrayList<>(ents.size());
    for (Entry e : ents) {
      confStates.add(applyConfChangeIfAny(e));
    }
    StageEvent.emit(StageEvent.Stage.COMMIT, state.nodeId(), ents.get(ents.size() - 1).getIndex(), 0);
    apply.offer(new ApplyInput.Committed(ents, confStates));
    for (Message resp : storageApply.getResponsesList()) {
      stepLocal(resp);
    }
  }

  /** Traces a Ready's new entries and, on the node that proposed them, which command each holds. */
  private void traceEntries(List<Entry> ents) {
    if (!StageEvent.tracing()) {
      return;
    }
    long node = state.nodeId();
    StageEvent.emit(StageEvent.Stage.READY, node, ents.get(ents.size() - 1).getIndex(), 0);
    for (Entry e : ents) {
      if (e.getType() == EntryType.EntryNormal && !e.getData().isEmpty()) {
        try {
          CommandEnvelope env = CommandEnvelope.decode(e.getData());
          if (env.origin() == node) {
            StageEvent.emit(StageEvent.Stage.ENTRY, node, e.getIndex(), env.requestId());
          }
        } catch (IllegalArgumentException notACommand) {
          // Nothing to trace; the apply loop reports it.
        }
      }
    }
  }

  private static long lastIndex(List<Message> responses) {
    long index = 0;
    for (Message m : responses) {
      index = Math.max(index, m.getIndex());
    }
    return index;
  }

  private void stepLocal(Message m) {
    try {
      rawNode.step(m);
    } catch (RaftException e) {
      log.debug("dropped local message {}: {}", m.getType(), e.getMessage());
    }
  }

  /** Conf changes take effect in raft on the loop thread, in log order, as they are handed over. */
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
      StageEvent.emit(StageEvent.Stage.PROPOSE, state.nodeId(), 0, p.proposal().requestId());
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
    } else if (input instanceof LoopInput.Persisted p) {
      p.responses().forEach(this::stepLocal);
      StageEvent.emit(StageEvent.Stage.PERSISTED, state.nodeId(), lastIndex(p.responses()), 0);
    } else if (input instanceof LoopInput.SnapshotTaken t) {
      persist.offer(new PersistInput.StoreSnapshot(t));
    } else if (!(input instanceof LoopInput.Wake)) {
      // Wake needs nothing: the loop checks whether it still runs once the inputs are handled.
      throw new IllegalStateException("no handling for " + input);
    }
  }

  private void step(Message m) {
    if (!inbound.admits(m)) {
      return;
    }
    StageEvent.message(StageEvent.Stage.STEP, state.nodeId(), m);
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
