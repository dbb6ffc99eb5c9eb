package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.Config;
import dev.raftboot.InitialState;
import dev.raftboot.Peer;
import dev.raftboot.RaftUtil;
import dev.raftboot.RawNode;
import dev.raftboot.SnapshotStatus;
import dev.raftboot.StateType;
import dev.raftboot.Status;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.api.IdempotencyKey;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.PeerProgress;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.api.RaftOperations;
import dev.raftboot.spring.api.RaftStatus;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.api.StoppedBeforeAppliedException;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.spi.StateSnapshotter;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one raft node inside the application: its lifecycle, and the operations the application,
 * the replicated-method layer and the transport call on it. The work is done by named parts, each
 * with one job and typed hand-offs (see {@code src-docs/architecture.md}):
 *
 * <ul>
 *   <li>{@link RaftLoop}, the thread that owns the {@code RawNode}: ticks it, handles each {@link
 *       LoopInput} from the {@link LoopInbox}, and processes each Ready, with {@link Proposals}
 *       (batching, parking, expiry), {@link Reads} (ReadIndex rounds, lease) and the {@link
 *       PersistStage} (the storage writes).
 *   <li>{@link ApplyLoop}, the thread that applies committed entries, completes the callers'
 *       futures, and takes and restores snapshots.
 *   <li>{@link Membership}: conf changes, leadership transfer and the address book.
 *   <li>{@link NodeState}: the values those parts publish, read by metrics and status.
 * </ul>
 *
 * <h2>Durability</h2>
 *
 * Messages that promise durability (append acknowledgements and votes, this node's own included)
 * are delivered only after the persist stage's storage transaction holding their data is durable;
 * all other messages, including the leader's appends to followers, go out before the write (Raft
 * thesis 10.2.1).
 */
public final class RaftServer
    implements SmartLifecycle, RaftOperations, ReplicatedLog, RaftMessageReceiver, TransportListener {

  /** Stops before the web server, so that leadership can be handed over through HTTP. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private static final Logger log = LoggerFactory.getLogger(RaftServer.class);

  private final RaftServerSettings settings;
  private final RaftStorage storage;
  private final RaftTransport transport;
  private final NodeState state;
  private final NodeMetrics metrics;
  private final LoopInbox inbox;
  private final PendingCommands pending;
  private final Membership membership;
  private final ApplyLoop apply;
  private final NodeFault fault;
  private final boolean canSnapshot;
  /** A new one with each raft loop: at start, and when the node is rebuilt after a failure. */
  private PersistStage persist;
  private RaftLoop loop;
  private Thread raftLoop;
  private Thread applyThread;
  private Thread persistThread;

  public RaftServer(
      RaftServerSettings settings,
      RaftStorage storage,
      RaftTransport transport,
      CommandApplier applier,
      StateSnapshotter snapshotter,
      ApplicationEventPublisher events) {
    this(settings, storage, transport, applier, snapshotter, events, new StorageFailurePolicy.StayDown());
  }

  /**
   * @param onStorageFailure what to do once a storage write failed, after the node stopped taking
   *     part and refuses every call (see {@link StorageFailurePolicy})
   */
  public RaftServer(
      RaftServerSettings settings,
      RaftStorage storage,
      RaftTransport transport,
      CommandApplier applier,
      StateSnapshotter snapshotter,
      ApplicationEventPublisher events,
      StorageFailurePolicy onStorageFailure) {
    this.settings = settings;
    this.storage = storage;
    this.transport = transport;
    this.state = new NodeState(settings.nodeId(), settings.peers());
    this.metrics = new NodeMetrics(state);
    this.inbox = new LoopInbox(state);
    this.pending = new PendingCommands(state);
    RaftEvents raftEvents = new RaftEvents(this, settings.nodeId(), events);
    this.membership = new Membership(settings, state, inbox, pending, transport, raftEvents);
    this.fault = new NodeFault(this, state, inbox, onStorageFailure);
    this.apply =
        new ApplyLoop(
            settings, state, applier, snapshotter, pending, membership, raftEvents, inbox, fault);
    this.canSnapshot = snapshotter != null;
  }

  // --- lifecycle -----------------------------------------------------------------------------------

  @Override
  public synchronized void start() {
    if (state.running()) {
      return;
    }
    state.recovered();
    apply.alignWithStorage(storage.snapshot(), storage.lastIndex());
    RawNode rawNode = rawNodeFromStorage();
    state.running(true);
    transport.start(settings.nodeId(), state.peers(), this);
    applyThread = apply.start();
    startLoop(rawNode);
  }

  /**
   * A raft node built from what storage durably holds, bootstrapping a new cluster if storage is
   * empty. Raft's applied index is the stored snapshot's: it hands out the committed entries after
   * it again, so that their conf changes reach the new node; the apply loop skips those the
   * application's state has applied already (see {@link ApplyLoop#alignWithStorage}).
   */
  private RawNode rawNodeFromStorage() {
    InitialState initial = storage.initialState();
    Snapshot snap = storage.snapshot();
    boolean fresh =
        storage.lastIndex() == 0
            && RaftUtil.isEmptyHardState(initial.hardState())
            && RaftUtil.isEmptySnap(snap);
    Config config =
        settings
            .raft()
            .copy()
            .id(settings.nodeId())
            .storage(storage)
            .applied(snap.getMetadata().getIndex())
            // The persist stage writes on a thread of its own (see PersistStage).
            .asyncStorageWrites(true)
            .logger(dev.raftboot.Logger.defaultLogger());
    RawNode rawNode = new RawNode(config);
    state.hardState(initial.hardState().getTerm(), initial.hardState().getCommit());
    if (fresh && !settings.join()) {
      List<Peer> peers = new ArrayList<>();
      for (Map.Entry<Long, URI> e : new TreeMap<>(settings.peers()).entrySet()) {
        peers.add(new Peer(e.getKey(), Membership.urlBytes(e.getValue())));
      }
      rawNode.bootstrap(peers);
      log.info("raft node {} bootstrapping a new cluster with {}", settings.nodeId(), settings.peers().keySet());
    } else if (fresh) {
      log.info("raft node {} waiting to be added to the cluster", settings.nodeId());
    } else {
      log.info(
          "raft node {} restarting from storage (snapshot {}, last index {})",
          settings.nodeId(), snap.getMetadata().getIndex(), storage.lastIndex());
    }
    return rawNode;
  }

  /** Starts the persist thread and the raft loop on {@code rawNode}; the node must serve. */
  private void startLoop(RawNode rawNode) {
    persist =
        new PersistStage(
            settings.nodeId(),
            storage,
            transport,
            state,
            metrics,
            inbox,
            apply,
            settings.snapshotKeepEntries(),
            fault);
    loop =
        new RaftLoop(
            rawNode,
            settings,
            state,
            inbox,
            pending,
            new InboundMessageCheck(settings.nodeId(), rawNode, storage),
            persist,
            apply,
            transport,
            fault);
    persistThread = persist.start();
    raftLoop = new Thread(loop::run, "raft-loop-" + settings.nodeId());
    raftLoop.setDaemon(true);
    raftLoop.start();
  }

  /** Stops gracefully: a leader first hands leadership to the most up-to-date voter. */
  @Override
  public void stop() {
    if (!state.running()) {
      return;
    }
    if (state.failure() == null) {
      membership.handOverLeadership();
    }
    halt();
  }

  /**
   * Stops at once, without handing over leadership (the cluster notices by timeout). What was
   * persisted stays. Commands in flight fail with {@link NodeStoppedException} if they never left
   * this node, else with {@link StoppedBeforeAppliedException}: they may still commit.
   */
  public synchronized void halt() {
    if (!state.running()) {
      return;
    }
    state.running(false);
    inbox.put(new LoopInput.Wake());
    apply.offer(new ApplyInput.Wake());
    persist.offer(new PersistInput.Wake());
    join(raftLoop);
    join(applyThread);
    join(persistThread);
    if (!persistThread.isAlive() && state.failure() == null) {
      persist.writeCommitIndexAfterStop();
    }
    // A stopped node follows no one: metrics and health must not report the last leader.
    state.leaderId(0);
    state.role(StateType.FOLLOWER);
    transport.stop();
    // The loop failed the waiting callers as it ended. One that did not end in time is not read:
    // then every command counts as one that may still commit.
    if (raftLoop.isAlive()) {
      pending.failAll(Set.of());
    }
    log.info("raft node {} stopped", settings.nodeId());
  }

  /**
   * After a failure (see {@link NodeFault}): waits for the raft loop to end (which fails the
   * commands and reads waiting on it). The transport and the apply thread keep running (the apply
   * thread only applies entries whose write succeeded); inbound messages are refused.
   */
  synchronized void abandonAfterFailure() {
    join(raftLoop);
    state.leaderId(0);
    state.role(StateType.FOLLOWER);
    if (raftLoop.isAlive()) {
      // The loop fails the waiting callers as it ends; one that did not end in time is not read.
      pending.failAll(Set.of(), state.failure().stopped(settings.nodeId()));
    }
  }

  /**
   * The storage probe of {@link StorageFailurePolicy.RestartNode}: a synced write that changes
   * nothing raft reads (the stored hard state, saved again). Throws what the write threw.
   */
  void probeStorage() {
    storage.save(
        storage.initialState().hardState(), List.of(), Snapshot.getDefaultInstance(), true);
  }

  /**
   * Rebuilds the failed node from what storage durably holds, by the start-up path: the
   * application's state is aligned with storage (on the apply thread), a new raft node, persist
   * stage and raft loop are started, and the node takes part again as a follower. The transport
   * and the apply thread have kept running. False, with the reason logged, when the node was
   * stopped meanwhile or cannot be rebuilt in place; throws (and the node stays down) when reading
   * the storage fails.
   */
  synchronized boolean rebuildFromStorage() {
    if (!state.running() || state.failure() == null) {
      return false;
    }
    join(raftLoop);
    join(persistThread);
    if (raftLoop.isAlive() || persistThread.isAlive()) {
      throw new IllegalStateException("the previous raft loop or persist thread has not ended yet");
    }
    CompletableFuture<Void> aligned = new CompletableFuture<>();
    apply.offer(new ApplyInput.AlignWithStorage(storage.snapshot(), storage.lastIndex(), aligned));
    try {
      aligned.get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      log.error(
          "raft node {} cannot be rebuilt in place; restart the application",
          settings.nodeId(), e.getCause());
      return false;
    } catch (TimeoutException e) {
      throw new IllegalStateException("the apply thread did not align with storage in time", e);
    }
    // The old persist stage's responses belong to the old raft node. Anything else that reached the
    // inbox after the old loop ended (a call that passed the serving check just before the failure)
    // is for the new loop, which answers it.
    for (LoopInput input : inbox.drain()) {
      if (!(input instanceof LoopInput.Persisted)) {
        inbox.put(input);
      }
    }
    RawNode rawNode = rawNodeFromStorage();
    state.recovered();
    startLoop(rawNode);
    return true;
  }

  /** Why this node stopped taking part ("storage failure: ..."), if it did: it then serves nothing. */
  public Optional<String> failure() {
    NodeState.Failure f = state.failure();
    return f == null ? Optional.empty() : Optional.of(f.reason());
  }

  private static void join(Thread t) {
    if (t == null) {
      return;
    }
    try {
      t.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return state.running();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  // --- replicated log ------------------------------------------------------------------------------

  /**
   * Replicates {@code command} and completes with what the {@link CommandApplier} returned for it
   * on this node (or exceptionally with what it threw), once it is applied here. The command
   * carries the calling thread's {@link IdempotencyKey}, if a scope is open.
   */
  @Override
  public CompletableFuture<Object> submit(ByteString command) {
    return submit(command, settings.commandTimeout());
  }

  /** Like {@link #submit(ByteString)}, with {@code timeout} instead of the configured one. */
  @Override
  public CompletableFuture<Object> submit(ByteString command, Duration timeout) {
    if (!state.serving()) {
      return CompletableFuture.failedFuture(state.notServing());
    }
    long id = state.nextRequestId();
    CompletableFuture<Object> f = pending.register(id, System.nanoTime() + timeout.toNanos());
    String key = IdempotencyKey.current().orElse(null);
    ByteString data =
        new CommandEnvelope(
                id,
                settings.nodeId(),
                command,
                key,
                key == null ? 0 : settings.idempotencyKeys())
            .encode();
    StageEvent.emit(StageEvent.Stage.SUBMIT, settings.nodeId(), 0, id);
    inbox.put(new LoopInput.Propose(new Proposal.Command(id, data)));
    return f;
  }

  /**
   * Completes once a read at {@code consistency} may be served from this node's state: for {@link
   * ReadConsistency#LOCAL} at once, otherwise when this node has applied the leader's confirmed
   * commit index. Concurrent reads share one read-index round. Fails with {@link
   * NodeStoppedException} at every consistency while the node does not run or has failed (a
   * storage write, an unexpected error), also when it fails while the read waits.
   */
  @Override
  public CompletableFuture<Void> readBarrier(ReadConsistency consistency) {
    if (!state.serving()) {
      return CompletableFuture.failedFuture(state.notServing());
    }
    if (consistency == ReadConsistency.LOCAL) {
      return CompletableFuture.completedFuture(null);
    }
    long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
    CompletableFuture<Void> confirmed =
        inbox.ask(reply -> new LoopInput.Read(new Reads.PendingRead(reply, consistency, deadline)));
    // A read confirmed before a storage failure completes on the apply thread afterwards.
    return confirmed.thenCompose(
        v ->
            state.serving()
                ? CompletableFuture.<Void>completedFuture(null)
                : CompletableFuture.<Void>failedFuture(state.notServing()));
  }

  /** Whether the calling thread is the apply thread, i.e. inside a {@link CommandApplier} call. */
  @Override
  public boolean isApplyThread() {
    return apply.isApplyThread();
  }

  // --- inbound messages and transport feedback -------------------------------------------------------

  @Override
  public long nodeId() {
    return settings.nodeId();
  }

  @Override
  public String clusterId() {
    return settings.clusterId();
  }

  @Override
  public boolean isMember(long id) {
    return membership.isMember(id);
  }

  @Override
  public boolean receive(Message message) {
    if (!state.serving()) {
      return false;
    }
    StageEvent.message(StageEvent.Stage.RECEIVE, settings.nodeId(), message);
    inbox.put(new LoopInput.Step(message));
    return true;
  }

  @Override
  public void reportUnreachable(long peerId) {
    state.unreachable(peerId);
    inbox.put(new LoopInput.ReportUnreachable(peerId));
  }

  @Override
  public void reportSnapshot(long peerId, SnapshotStatus status) {
    if (status == SnapshotStatus.FAILURE) {
      state.snapshotsFailed.incrementAndGet();
    }
    inbox.put(new LoopInput.ReportSnapshot(peerId, status));
  }

  // --- operations ----------------------------------------------------------------------------------

  @Override
  public RaftStatus status() {
    // Read before raft's commit index: the apply thread only applies what is committed, so an
    // applied index read earlier never exceeds a commit index read later.
    long applied = state.appliedIndex();
    Status st;
    try {
      st = inbox.<Status>ask(LoopInput.StatusQuery::new)
          .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new NodeStoppedException("raft node did not answer: " + e);
    }
    Map<Long, PeerProgress> progress = new TreeMap<>();
    if (st.progress() != null) {
      long staleBefore =
          System.nanoTime()
              - TimeUnit.MILLISECONDS.toNanos(2 * Membership.electionTimeoutMillis(settings));
      st.progress()
          .forEach(
              (id, pr) ->
                  progress.put(
                      id,
                      new PeerProgress(
                          pr.match(),
                          pr.next(),
                          pr.state().toString(),
                          pr.recentActive(),
                          !state.unreachableSince(id, staleBefore),
                          pr.inflights().count())));
    }
    var voters = st.config().voters();
    return new RaftStatus(
        st.id(),
        st.raftState(),
        st.term(),
        st.lead(),
        st.commit(),
        applied,
        storage.firstIndex(),
        storage.lastIndex(),
        storage.snapshot().getMetadata().getIndex(),
        List.copyOf(voters.incoming().ids()),
        List.copyOf(voters.outgoing().ids()),
        List.copyOf(st.config().learners()),
        progress);
  }

  @Override
  public Optional<RaftMember> leader() {
    long lead;
    try {
      lead =
          inbox.<Long>ask(LoopInput.LeaderQuery::new)
              .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      lead = 0;
    }
    if (lead == 0) {
      return Optional.empty();
    }
    return Optional.of(new RaftMember(lead, state.addresses().get(lead), true));
  }

  @Override
  public List<RaftMember> members() {
    return membership.members();
  }

  @Override
  public CompletableFuture<Void> addLearner(long id, URI url) {
    return membership.addLearner(id, url);
  }

  @Override
  public CompletableFuture<Void> promote(long id) {
    return membership.promote(id);
  }

  @Override
  public CompletableFuture<Void> remove(long id) {
    return membership.remove(id);
  }

  @Override
  public CompletableFuture<Void> transferLeadership(long id) {
    return membership.transferLeadership(id);
  }

  @Override
  public CompletableFuture<Long> triggerSnapshot() {
    if (!canSnapshot) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("no StateSnapshotter bean: snapshots are not supported"));
    }
    CompletableFuture<Long> f = new CompletableFuture<>();
    apply.offer(new ApplyInput.TakeSnapshot(f));
    return f;
  }

  /** Counters and gauges of this node, read without asking the raft loop. */
  public RaftServerMetrics metrics() {
    return metrics;
  }

  /** The values this node's parts publish; for tests in this package. */
  NodeState nodeState() {
    return state;
  }
}
