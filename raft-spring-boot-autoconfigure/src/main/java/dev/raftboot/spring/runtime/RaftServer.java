package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.BasicStatus;
import dev.raftboot.Config;
import dev.raftboot.InitialState;
import dev.raftboot.Peer;
import dev.raftboot.ProposalDroppedException;
import dev.raftboot.RaftException;
import dev.raftboot.RaftUtil;
import dev.raftboot.RawNode;
import dev.raftboot.ReadOnlyOption;
import dev.raftboot.ReadState;
import dev.raftboot.Ready;
import dev.raftboot.SnapshotStatus;
import dev.raftboot.StateType;
import dev.raftboot.Status;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import dev.raftboot.tracker.Progress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one raft node inside the application: ticks it, drives its Ready loop (persist, send,
 * apply, advance), applies committed commands on a single apply thread, and serves commands,
 * reads and membership operations.
 *
 * <h2>Threads</h2>
 *
 * <ul>
 *   <li>The raft loop thread owns the {@link RawNode} and the storage writes. Every other thread
 *       talks to it through a queue, so concurrent callers are batched into one Ready, one storage
 *       transaction and one request per peer.
 *   <li>The apply thread invokes the {@link CommandApplier} in log order and completes the
 *       callers' futures. Snapshots are taken and restored there too.
 * </ul>
 *
 * <h2>Durability</h2>
 *
 * Messages that promise durability (append acknowledgements and votes) are sent only after the
 * Ready's storage transaction has committed; all other messages, including the leader's appends to
 * followers, go out before the write (Raft thesis 10.2.1).
 */
public final class RaftServer
    implements SmartLifecycle, RaftOperations, ReplicatedLog, RaftMessageReceiver, TransportListener {

  /** Stops before the web server, so that leadership can be handed over through HTTP. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  /**
   * How many applied request ids are remembered per origin node to recognise duplicated
   * proposals: a copy that reaches the log after this many later commands from the same node
   * would be applied again.
   */
  static final int APPLIED_REQUESTS_PER_ORIGIN = 10_000;

  private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final Logger log = LoggerFactory.getLogger(RaftServer.class);

  /** The most commands proposed in one {@code MsgProp}. */
  static final int MAX_PROPOSAL_BATCH = 1024;

  private final RaftServerSettings settings;
  private final RaftStorage storage;
  private final RaftTransport transport;
  private final CommandApplier applier;
  private final StateSnapshotter snapshotter;
  private final ApplicationEventPublisher events;
  private final long tickNanos;
  /** How long a quorum-acknowledged heartbeat round keeps the lease; 0: LEASE reads are SAFE. */
  private final long leaseNanos;
  private final AtomicLong requestIds = new AtomicLong(new SecureRandom().nextLong());

  private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
  private final BlockingQueue<Runnable> applyQueue = new LinkedBlockingQueue<>();
  private final Map<Long, PendingCommand> pending = new ConcurrentHashMap<>();
  private final Map<Long, Long> unreachableAt = new ConcurrentHashMap<>();
  private final java.util.concurrent.ExecutorService eventThread =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "raft-events");
            t.setDaemon(true);
            return t;
          });

  // Owned by the raft loop thread.
  private RawNode rawNode;
  private long lastDropWarning = System.nanoTime() - DROP_WARNING_INTERVAL_NANOS;
  private long lastLeader;
  private final List<PendingRead> readsToIssue = new ArrayList<>();
  /**
   * Proposals raft dropped (no leader yet, a leadership transfer, the uncommitted-size limit), in
   * submission order; retried every tick until they are accepted or time out.
   */
  private final java.util.ArrayDeque<Proposal> parked = new java.util.ArrayDeque<>();
  /** Commands submitted in this turn of the loop, proposed together by {@link #flushProposals}. */
  private final List<Proposal> toPropose = new ArrayList<>();
  private final Map<ByteString, ReadBatch> readsInFlight = new HashMap<>();
  private long ticks;
  /**
   * This node's own read lease: while it leads in {@link #leaseTerm} and {@link System#nanoTime()}
   * is before {@link #leaseUntil}, no other node can have become leader, so LEASE reads are
   * answered without a heartbeat round. See {@link #renewLease}.
   */
  private long leaseUntil;
  private long leaseTerm;

  // Owned by the apply thread (volatile where other threads read them).
  private volatile long appliedIndex;
  private volatile ConfState confState = ConfState.getDefaultInstance();
  private volatile Map<Long, URI> addresses;
  private long lastSnapshotIndex;
  private final TreeMap<Long, List<CompletableFuture<Void>>> readWaiters = new TreeMap<>();
  /**
   * The request ids of the commands applied most recently, per origin node, oldest first. Raft
   * appends a proposal once per copy that reaches the leader, and a forwarded proposal can arrive
   * twice (a transport that resends a request whose answer it did not get, a network that
   * duplicates); a command whose id is here has been applied and is skipped. Every node applies
   * the same log and snapshots carry these ids, so every node skips the same entries.
   */
  private final Map<Long, java.util.LinkedHashSet<Long>> appliedRequests = new HashMap<>();

  private volatile boolean running;
  private volatile boolean applying;
  private Thread raftLoop;
  private Thread applyThread;

  // Counters for metrics (read through metrics()).
  final AtomicLong proposalsCommitted = new AtomicLong();
  final AtomicLong proposalsFailed = new AtomicLong();
  final AtomicLong leaderChanges = new AtomicLong();
  final AtomicLong lastPersistNanos = new AtomicLong();
  final AtomicLong snapshotsTaken = new AtomicLong();
  final AtomicLong snapshotsInstalled = new AtomicLong();
  final AtomicLong snapshotsSent = new AtomicLong();
  final AtomicLong snapshotsFailed = new AtomicLong();
  final AtomicLong duplicatesSkipped = new AtomicLong();
  final AtomicLong leaseReads = new AtomicLong();
  private volatile long commitIndex;
  private volatile long term;
  private volatile StateType role = StateType.FOLLOWER;
  private volatile long leaderSeen;
  private final List<RaftServerMetrics.PersistListener> persistListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final RaftServerMetrics metrics = new Metrics();

  public RaftServer(
      RaftServerSettings settings,
      RaftStorage storage,
      RaftTransport transport,
      CommandApplier applier,
      StateSnapshotter snapshotter,
      ApplicationEventPublisher events) {
    this.settings = settings;
    this.storage = storage;
    this.transport = transport;
    this.applier = applier;
    this.snapshotter = snapshotter;
    this.events = events;
    this.tickNanos = settings.tickInterval().toNanos();
    this.leaseNanos = leaseNanos(settings);
    this.addresses = Map.copyOf(settings.peers());
  }

  // --- lifecycle -----------------------------------------------------------------------------------

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    InitialState initial = storage.initialState();
    boolean fresh =
        storage.lastIndex() == 0
            && RaftUtil.isEmptyHardState(initial.hardState())
            && RaftUtil.isEmptySnap(storage.snapshot());
    Snapshot snap = storage.snapshot();
    if (!RaftUtil.isEmptySnap(snap)) {
      restoreFromSnapshot(snap);
    }
    Config config =
        settings
            .raft()
            .copy()
            .id(settings.nodeId())
            .storage(storage)
            .applied(appliedIndex)
            .logger(dev.raftboot.Logger.defaultLogger());
    rawNode = new RawNode(config);
    term = initial.hardState().getTerm();
    commitIndex = initial.hardState().getCommit();
    if (fresh && !settings.join()) {
      List<Peer> peers = new ArrayList<>();
      for (Map.Entry<Long, URI> e : new TreeMap<>(settings.peers()).entrySet()) {
        peers.add(new Peer(e.getKey(), urlBytes(e.getValue())));
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
    running = true;
    transport.start(settings.nodeId(), othersOf(addresses), this);
    applyThread = new Thread(this::applyLoop, "raft-apply-" + settings.nodeId());
    raftLoop = new Thread(this::raftLoop, "raft-loop-" + settings.nodeId());
    applyThread.setDaemon(true);
    raftLoop.setDaemon(true);
    applyThread.start();
    raftLoop.start();
  }

  /** Stops gracefully: a leader first hands leadership to the most up-to-date voter. */
  @Override
  public void stop() {
    if (!running) {
      return;
    }
    handOverLeadership();
    halt();
  }

  /**
   * Stops at once, without handing over leadership (the cluster notices by timeout). What was
   * persisted stays; commands in flight fail with {@link NodeStoppedException}.
   */
  public synchronized void halt() {
    if (!running) {
      return;
    }
    running = false;
    inbox.add(() -> {});
    applyQueue.add(() -> {});
    join(raftLoop);
    join(applyThread);
    // A stopped node follows no one: metrics and health must not report the last leader.
    leaderSeen = 0;
    role = StateType.FOLLOWER;
    transport.stop();
    for (PendingCommand p : pending.values()) {
      p.future.completeExceptionally(new NodeStoppedException("raft node stopped"));
    }
    pending.clear();
    log.info("raft node {} stopped", settings.nodeId());
  }

  /** On a graceful stop the leader first hands over to the most up-to-date voter. */
  private void handOverLeadership() {
    try {
      Status st = call(RawNode::status).get(2, TimeUnit.SECONDS);
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
      transferLeadership(best).get(electionTimeoutMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.info("raft node {} stops without a leadership transfer: {}", settings.nodeId(), e.toString());
    }
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
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  // --- raft loop -----------------------------------------------------------------------------------

  private void raftLoop() {
    long nextTick = System.nanoTime() + tickNanos;
    List<Runnable> batch = new ArrayList<>();
    while (running) {
      try {
        long now = System.nanoTime();
        if (now >= nextTick) {
          rawNode.tick();
          ticks++;
          retryParked();
          // Do not try to catch up on missed ticks after a pause: that would fire timeouts at once.
          nextTick = Math.max(nextTick + tickNanos, now);
          if (ticks % 10 == 0) {
            expireTimedOut();
          }
        }
        Runnable first = inbox.poll(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (first != null) {
          batch.add(first);
          inbox.drainTo(batch);
          for (Runnable r : batch) {
            r.run();
          }
          batch.clear();
        }
        flushProposals();
        issueReads();
        if (rawNode.hasReady()) {
          processReady(rawNode.ready());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // Storage failures are fatal for this node: continuing could acknowledge unpersisted data.
        log.error("raft node {} stops after an unexpected error", settings.nodeId(), e);
        running = false;
        return;
      }
    }
  }

  private void processReady(Ready rd) {
    if (rd.softState() != null) {
      role = rd.softState().raftState();
    }
    if (rd.softState() != null && rd.softState().lead() != lastLeader) {
      lastLeader = rd.softState().lead();
      leaderSeen = lastLeader;
      leaderChanges.incrementAndGet();
      long term = rawNode.basicStatus().hardState().getTerm();
      long lead = lastLeader;
      applyQueue.add(() -> publish(new RaftLeaderChangedEvent(this, settings.nodeId(), term, lead)));
    }
    List<Message> afterPersist = new ArrayList<>();
    for (Message m : rd.messages()) {
      if (m.getType() == MessageType.MsgSnap) {
        snapshotsSent.incrementAndGet();
      }
      if (promisesDurability(m.getType())) {
        afterPersist.add(m);
      } else {
        transport.send(m);
      }
    }
    if (rd.hasHardState() || !rd.entries().isEmpty() || rd.hasSnapshot()) {
      long start = System.nanoTime();
      // A Ready that only moves the commit index need not wait for the disk (etcd's MustSync).
      storage.save(rd.hardState(), rd.entries(), rd.snapshot(), rd.mustSync());
      long nanos = System.nanoTime() - start;
      lastPersistNanos.set(nanos);
      notifyPersisted(nanos);
    }
    if (rd.hasHardState()) {
      commitIndex = rd.hardState().getCommit();
      term = rd.hardState().getTerm();
    }
    if (rd.hasSnapshot()) {
      Snapshot snap = rd.snapshot();
      applyQueue.add(
          () -> {
            restoreFromSnapshot(snap);
            snapshotsInstalled.incrementAndGet();
          });
    }
    for (Message m : afterPersist) {
      transport.send(m);
    }
    for (ReadState rs : rd.readStates()) {
      ReadBatch batch = readsInFlight.remove(rs.requestCtx());
      if (batch != null) {
        renewLease(batch);
        long index = rs.index();
        applyQueue.add(() -> awaitApplied(index, batch.futures()));
      }
    }
    if (!rd.committedEntries().isEmpty()) {
      List<Entry> ents = rd.committedEntries();
      List<ConfState> confStates = new ArrayList<>(ents.size());
      for (Entry e : ents) {
        confStates.add(applyConfChangeIfAny(e));
      }
      applyQueue.add(() -> applyEntries(ents, confStates));
    }
    rawNode.advance();
  }

  private static boolean promisesDurability(MessageType t) {
    return t == MessageType.MsgAppResp || t == MessageType.MsgVoteResp || t == MessageType.MsgPreVoteResp;
  }

  /** Conf changes take effect in Raft on the loop thread, in order, before advance. */
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

  private void expireTimedOut() {
    long now = System.nanoTime();
    java.util.Set<Long> neverProposed = new java.util.HashSet<>();
    for (Proposal p : parked) {
      neverProposed.add(p.id());
    }
    for (Iterator<Map.Entry<Long, PendingCommand>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, PendingCommand> e = it.next();
      PendingCommand p = e.getValue();
      if (now - p.deadline > 0) {
        it.remove();
        proposalsFailed.incrementAndGet();
        if (neverProposed.contains(e.getKey())) {
          p.future.completeExceptionally(
              new NoLeaderException(
                  "no leader accepted the command within its timeout; it was not applied"));
        } else {
          p.future.completeExceptionally(
              new CommandTimeoutException(
                  "not applied within its timeout; the outcome is unknown (it may still be applied)"));
        }
      }
    }
    for (Iterator<ReadBatch> it = readsInFlight.values().iterator(); it.hasNext(); ) {
      ReadBatch b = it.next();
      if (ticks - b.issuedAtTick() > 2L * settings.raft().electionTick()) {
        // No answer (no leader, lost messages): ask again with the reads still waiting.
        it.remove();
        for (int i = 0; i < b.futures().size(); i++) {
          readsToIssue.add(new PendingRead(b.futures().get(i), b.consistency(), b.deadlines().get(i)));
        }
      }
    }
    readsToIssue.removeIf(
        r -> {
          if (now - r.deadline() > 0) {
            r.future().completeExceptionally(
                new ReadTimeoutException("read not confirmed by a leader in time"));
            return true;
          }
          return false;
        });
  }

  // --- commands ------------------------------------------------------------------------------------

  /**
   * Replicates {@code command} and completes with what the {@link CommandApplier} returned for it
   * on this node (or exceptionally with what it threw), once it is applied here.
   */
  @Override
  public CompletableFuture<Object> submit(ByteString command) {
    return submit(command, settings.commandTimeout());
  }

  /** Like {@link #submit(ByteString)}, with {@code timeout} instead of the configured one. */
  @Override
  public CompletableFuture<Object> submit(ByteString command, Duration timeout) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    if (!running) {
      f.completeExceptionally(new NodeStoppedException("raft node is not running"));
      return f;
    }
    long id = requestIds.incrementAndGet();
    pending.put(id, new PendingCommand(f, System.nanoTime() + timeout.toNanos()));
    ByteString data = new CommandEnvelope(id, settings.nodeId(), command).encode();
    inbox.add(() -> toPropose.add(new Proposal(id, data, null)));
    return f;
  }

  /**
   * Proposes the commands collected in this turn of the loop together: one {@code MsgProp} per
   * {@link #MAX_PROPOSAL_BATCH} commands, so that the leader appends them in one go and sends each
   * follower one append for all of them instead of one per command. Submission order holds: a
   * batch is parked behind earlier dropped proposals, and a conf change flushes the commands
   * before it.
   */
  private void flushProposals() {
    if (toPropose.isEmpty()) {
      return;
    }
    if (!parked.isEmpty()) {
      parked.addAll(toPropose);
    } else {
      proposeCommands(toPropose, 0, toPropose.size(), true);
    }
    toPropose.clear();
  }

  /**
   * Proposes the commands {@code [from, to)} of {@code list} in batches; when raft drops one, it
   * and everything after it are parked if {@code park}. Returns how many were accepted.
   */
  private int proposeCommands(List<Proposal> list, int from, int to, boolean park) {
    List<ByteString> data = new ArrayList<>(Math.min(to - from, MAX_PROPOSAL_BATCH));
    int i = from;
    while (i < to) {
      int end = Math.min(to, i + MAX_PROPOSAL_BATCH);
      data.clear();
      for (int k = i; k < end; k++) {
        data.add(list.get(k).data());
      }
      try {
        rawNode.propose(data);
      } catch (ProposalDroppedException e) {
        if (park) {
          parked.addAll(list.subList(i, to));
        }
        return i - from;
      }
      i = end;
    }
    return to - from;
  }

  /** Proposes now, or parks behind earlier dropped proposals so that submission order holds. */
  private void propose(Proposal p) {
    flushProposals();
    if (!parked.isEmpty() || !tryPropose(p)) {
      parked.add(p);
    }
  }

  private boolean tryPropose(Proposal p) {
    try {
      if (p.data() != null) {
        rawNode.propose(p.data());
      } else {
        p.action().accept(rawNode);
      }
      return true;
    } catch (ProposalDroppedException e) {
      return false;
    }
  }

  private void retryParked() {
    List<Proposal> run = new ArrayList<>();
    while (!parked.isEmpty()) {
      Proposal p = parked.peek();
      if (!pending.containsKey(p.id())) {
        parked.poll(); // timed out meanwhile
      } else if (p.data() != null) {
        // Retry the run of commands at the head of the queue together.
        run.clear();
        for (Proposal q : parked) {
          if (q.data() == null) {
            break;
          }
          run.add(q);
        }
        int accepted = proposeCommands(run, 0, run.size(), false);
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

  /** Whether the calling thread is the apply thread, i.e. inside a {@link CommandApplier} call. */
  @Override
  public boolean isApplyThread() {
    return applying && Thread.currentThread() == applyThread;
  }

  /**
   * Completes once a read at {@code consistency} may be served from this node's state: for {@link
   * ReadConsistency#LOCAL} at once, otherwise when this node has applied the leader's confirmed
   * commit index. Concurrent reads share one read-index round.
   */
  @Override
  public CompletableFuture<Void> readBarrier(ReadConsistency consistency) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (consistency == ReadConsistency.LOCAL) {
      f.complete(null);
      return f;
    }
    if (!running) {
      f.completeExceptionally(new NodeStoppedException("raft node is not running"));
      return f;
    }
    long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
    inbox.add(() -> readsToIssue.add(new PendingRead(f, consistency, deadline)));
    return f;
  }

  private void issueReads() {
    if (readsToIssue.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    BasicStatus st = rawNode.basicStatus();
    long term = st.hardState().getTerm();
    boolean leading =
        st.softState().raftState() == StateType.LEADER && st.leadTransferee() == RaftUtil.NONE;
    boolean leaseValid = leading && leaseNanos > 0 && leaseTerm == term && now - leaseUntil < 0;
    for (ReadConsistency c : ReadConsistency.values()) {
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      List<Long> deadlines = new ArrayList<>();
      for (PendingRead r : readsToIssue) {
        if (r.consistency() == c) {
          futures.add(r.future());
          deadlines.add(r.deadline());
        }
      }
      if (futures.isEmpty()) {
        continue;
      }
      ByteString ctx = ByteString.copyFromUtf8("r" + requestIds.incrementAndGet());
      boolean fromLease = c == ReadConsistency.LEASE && leaseValid;
      readsInFlight.put(
          ctx, new ReadBatch(futures, deadlines, c, ticks, fromLease, leading ? term : 0, now));
      if (fromLease) {
        leaseReads.addAndGet(futures.size());
      }
      rawNode.readIndex(ctx, fromLease ? ReadOnlyOption.LEASE_BASED : ReadOnlyOption.SAFE);
    }
    readsToIssue.clear();
  }

  /**
   * Renews this node's lease when {@code batch} was a heartbeat round (not a lease read) that it
   * started as leader, with no leadership transfer under way, and that a quorum acknowledged in
   * that same term.
   *
   * <p>Why this is needed: raft's own lease (LEASE_BASED with CheckQuorum) holds for as long as the
   * leader has not stepped down, and a partitioned leader steps down only at the CheckQuorum that
   * follows a whole election timeout without a quorum, up to two election timeouts after its last
   * contact; the others may elect a new leader after one election timeout and commit writes that
   * the old leader's lease reads do not see. Here the lease is measured from when this node
   * started a round: every member that acknowledged it heard from this leader after that moment,
   * and ignores votes until it has ticked a whole election timeout since (it ticks no faster than
   * the clock, give or take one tick, and twice in a row after a stall: hence two ticks off), so no
   * other node can win an election before {@code start + leaseNanos}. The LEASE reads of a
   * follower are sent to the leader as ordinary read-index requests.
   */
  private void renewLease(ReadBatch batch) {
    if (batch.fromLease() || batch.leaderTerm() == 0 || leaseNanos == 0) {
      return;
    }
    BasicStatus st = rawNode.basicStatus();
    if (st.softState().raftState() != StateType.LEADER
        || st.hardState().getTerm() != batch.leaderTerm()
        || st.leadTransferee() != RaftUtil.NONE) {
      return;
    }
    long until = batch.issuedAtNanos() + leaseNanos;
    if (leaseTerm != batch.leaderTerm() || until - leaseUntil > 0) {
      leaseTerm = batch.leaderTerm();
      leaseUntil = until;
    }
  }

  /**
   * The lease a quorum-acknowledged round gives: two ticks short of the election timeout, less 10%
   * for clocks that run at different rates on different machines. None without CheckQuorum (votes
   * are then not refused inside a leader's lease).
   */
  static long leaseNanos(RaftServerSettings settings) {
    int electionTick = settings.raft().electionTick();
    if (!settings.raft().checkQuorum() || electionTick <= 2) {
      return 0;
    }
    return (electionTick - 2) * settings.tickInterval().toNanos() / 10 * 9;
  }

  // --- apply thread --------------------------------------------------------------------------------

  private void applyLoop() {
    while (running) {
      try {
        Runnable task = applyQueue.take();
        task.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("raft node {} apply thread stops after an unexpected error", settings.nodeId(), e);
        running = false;
        return;
      }
    }
  }

  private void applyEntries(List<Entry> ents, List<ConfState> confStates) {
    boolean nodeAdded = false;
    for (int i = 0; i < ents.size(); i++) {
      Entry e = ents.get(i);
      if (e.getIndex() <= appliedIndex) {
        // Already covered by a snapshot this node restored.
        continue;
      }
      if (e.getType() == EntryType.EntryNormal) {
        if (!e.getData().isEmpty()) {
          CommandEnvelope env = decodeCommand(e);
          if (env != null && firstApplication(env)) {
            applyCommand(env);
          } else if (env != null) {
            duplicatesSkipped.incrementAndGet();
            log.debug(
                "raft node {} skips entry {}: request {} of node {} was applied already",
                settings.nodeId(), e.getIndex(), env.requestId(), env.origin());
          }
        }
      } else {
        nodeAdded |= applyMembership(e, confStates.get(i));
      }
      appliedIndex = e.getIndex();
    }
    completeReads();
    // A node refuses a snapshot whose configuration does not include it, so a node that joins
    // needs a snapshot taken after the change that added it: take one now rather than leave the
    // leader sending an older one that the new node can never accept.
    maybeSnapshot(nodeAdded);
  }

  /** Records {@code env}'s request as applied; false if it was applied before. */
  private boolean firstApplication(CommandEnvelope env) {
    java.util.LinkedHashSet<Long> ids =
        appliedRequests.computeIfAbsent(env.origin(), k -> new java.util.LinkedHashSet<>());
    if (!ids.add(env.requestId())) {
      return false;
    }
    if (ids.size() > APPLIED_REQUESTS_PER_ORIGIN) {
      Iterator<Long> oldest = ids.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  private Map<Long, List<Long>> appliedRequestsCopy() {
    Map<Long, List<Long>> copy = new TreeMap<>();
    appliedRequests.forEach((origin, ids) -> copy.put(origin, List.copyOf(ids)));
    return copy;
  }

  /**
   * The command in {@code e}, or null when the entry holds none: then it is skipped, as every node
   * skips it, since only a faulty or hostile member can have proposed it.
   */
  private CommandEnvelope decodeCommand(Entry e) {
    try {
      return CommandEnvelope.decode(e.getData());
    } catch (IllegalArgumentException ex) {
      log.error(
          "raft node {} skips log entry {}, which holds no command: {}",
          settings.nodeId(),
          e.getIndex(),
          ex.getMessage());
      return null;
    }
  }

  private void applyCommand(CommandEnvelope env) {
    Object result = null;
    Throwable error = null;
    applying = true;
    try {
      result = applier.apply(env.payload());
    } catch (OutOfMemoryError e) {
      // Not a property of the command: other nodes may well apply it. Stop this node instead.
      throw e;
    } catch (Throwable t) {
      // Anything else the method throws (even a StackOverflowError) is its deterministic result
      // on every node, so it is the command's outcome and the apply thread carries on.
      error = t;
    } finally {
      applying = false;
    }
    if (env.origin() == settings.nodeId()) {
      PendingCommand p = pending.remove(env.requestId());
      if (p != null) {
        proposalsCommitted.incrementAndGet();
        if (error != null) {
          p.future.completeExceptionally(error);
        } else {
          p.future.complete(result);
        }
      }
    }
  }

  /** Applies a conf change entry; true when it adds a node (as voter or learner). */
  private boolean applyMembership(Entry e, ConfState cs) {
    ConfChangeV2 cc;
    long changeId = 0;
    try {
      if (e.getType() == EntryType.EntryConfChange) {
        ConfChange v1 = ConfChange.parseFrom(e.getData());
        changeId = v1.getId();
        cc =
            ConfChangeV2.newBuilder()
                .addChanges(
                    dev.raftboot.raftpb.ConfChangeSingle.newBuilder()
                        .setType(v1.getType())
                        .setNodeId(v1.getNodeId()))
                .setContext(v1.getContext())
                .build();
      } else {
        cc = ConfChangeV2.parseFrom(e.getData());
      }
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException("corrupt conf change at index " + e.getIndex(), ex);
    }
    Map<Long, URI> book = new TreeMap<>(addresses);
    boolean added = false;
    for (var change : cc.getChangesList()) {
      added |=
          change.getType() != ConfChangeType.ConfChangeRemoveNode
              && !addresses.containsKey(change.getNodeId());
      if (change.getType() == ConfChangeType.ConfChangeRemoveNode) {
        book.remove(change.getNodeId());
      } else if (!cc.getContext().isEmpty() && cc.getChangesCount() == 1) {
        book.put(change.getNodeId(), URI.create(cc.getContext().toStringUtf8()));
      }
    }
    addresses = Map.copyOf(book);
    transport.updatePeers(othersOf(addresses));
    if (cs != null) {
      confState = cs;
      publish(new RaftMembershipChangedEvent(this, cs.getVotersList(), cs.getLearnersList()));
    }
    if (changeId != 0) {
      PendingCommand p = pending.remove(changeId);
      if (p != null) {
        p.future.complete(null);
      }
    }
    return added;
  }

  private void restoreFromSnapshot(Snapshot snap) {
    SnapshotEnvelope env = SnapshotEnvelope.decode(snap.getData());
    if (snapshotter != null) {
      applying = true;
      try {
        snapshotter.restore(env.state());
      } finally {
        applying = false;
      }
    }
    appliedRequests.clear();
    env.appliedRequests()
        .forEach((origin, ids) -> appliedRequests.put(origin, new java.util.LinkedHashSet<>(ids)));
    if (!env.addresses().isEmpty()) {
      addresses = Map.copyOf(env.addresses());
      if (running) {
        transport.updatePeers(othersOf(addresses));
      }
    }
    appliedIndex = snap.getMetadata().getIndex();
    lastSnapshotIndex = appliedIndex;
    confState = snap.getMetadata().getConfState();
    completeReads();
  }

  private void awaitApplied(long index, List<CompletableFuture<Void>> futures) {
    if (appliedIndex >= index) {
      futures.forEach(f -> f.complete(null));
    } else {
      readWaiters.computeIfAbsent(index, k -> new ArrayList<>()).addAll(futures);
    }
  }

  private void completeReads() {
    while (!readWaiters.isEmpty() && readWaiters.firstKey() <= appliedIndex) {
      readWaiters.pollFirstEntry().getValue().forEach(f -> f.complete(null));
    }
  }

  /** Snapshots the applied state when due (or when forced) and compacts the log behind it. */
  private long maybeSnapshot(boolean force) {
    if (snapshotter == null || appliedIndex <= lastSnapshotIndex) {
      return lastSnapshotIndex;
    }
    if (!force
        && (settings.snapshotEntries() <= 0
            || appliedIndex - lastSnapshotIndex < settings.snapshotEntries())) {
      return lastSnapshotIndex;
    }
    long index = appliedIndex;
    ConfState cs = confState;
    ByteString data;
    applying = true;
    try {
      data = new SnapshotEnvelope(addresses, snapshotter.snapshot(), appliedRequestsCopy()).encode();
    } finally {
      applying = false;
    }
    lastSnapshotIndex = index;
    inbox.add(
        () -> {
          try {
            storage.createSnapshot(index, cs, data);
            long compactTo = index - settings.snapshotKeepEntries();
            if (compactTo >= storage.firstIndex()) {
              storage.compact(compactTo);
            }
            snapshotsTaken.incrementAndGet();
          } catch (RaftException e) {
            log.debug("snapshot at {} skipped: {}", index, e.getMessage());
          }
        });
    return index;
  }

  /**
   * Publishes on a thread of its own, in order: a listener may make replicated calls, which would
   * deadlock on the apply thread that must apply them.
   */
  private void publish(Object event) {
    if (events == null) {
      return;
    }
    eventThread.execute(
        () -> {
          try {
            events.publishEvent(event);
          } catch (RuntimeException e) {
            log.warn("raft event listener failed", e);
          }
        });
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
    ConfState cs = confState;
    if (cs.getVotersList().isEmpty() && cs.getLearnersList().isEmpty()) {
      // A node that is joining knows no configuration yet: the leader that adds it may be any
      // member, so the cluster id and peer token are the only checks that apply.
      return true;
    }
    return cs.getVotersList().contains(id)
        || cs.getLearnersList().contains(id)
        || cs.getVotersOutgoingList().contains(id)
        || addresses.containsKey(id);
  }

  @Override
  public boolean receive(Message message) {
    if (!running) {
      return false;
    }
    inbox.add(
        () -> {
          String contradiction = contradiction(message);
          if (contradiction != null) {
            // At most one warning a minute: a faulty peer may send the same thing many times a second.
            long now = System.nanoTime();
            boolean warn = now - lastDropWarning >= DROP_WARNING_INTERVAL_NANOS;
            if (warn) {
              lastDropWarning = now;
            }
            String format = "raft node {} dropped {} from node {}: {}";
            Object[] args = {
              settings.nodeId(), message.getType(), Long.toUnsignedString(message.getFrom()), contradiction
            };
            if (warn) {
              log.warn(format, args);
            } else {
              log.debug(format, args);
            }
            return;
          }
          try {
            rawNode.step(message);
          } catch (RaftException e) {
            log.debug("dropped message from {}: {}", message.getFrom(), e.getMessage());
          }
        });
    return true;
  }

  /**
   * Why {@code m}, from a peer, must not be stepped, or null. The peer endpoint already refused
   * what is wrong on a message alone; these contradict this node's own state in ways no correct
   * peer can, and raft-core treats them as corruption and would stop the node. Dropping them leaves
   * the node as it was. Called on the raft loop thread.
   */
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
        // A follower acknowledges what its leader sent, and this node stores entries in the same
        // Ready that sends them, before it steps anything else.
        long last = storage.lastIndex();
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

  @Override
  public void reportUnreachable(long peerId) {
    unreachableAt.put(peerId, System.nanoTime());
    inbox.add(() -> rawNode.reportUnreachable(peerId));
  }

  @Override
  public void reportSnapshot(long peerId, SnapshotStatus status) {
    if (status == SnapshotStatus.FAILURE) {
      snapshotsFailed.incrementAndGet();
    }
    inbox.add(() -> rawNode.reportSnapshot(peerId, status));
  }

  // --- operations ----------------------------------------------------------------------------------

  private <T> CompletableFuture<T> call(java.util.function.Function<RawNode, T> action) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (!running) {
      f.completeExceptionally(new NodeStoppedException("raft node is not running"));
      return f;
    }
    inbox.add(
        () -> {
          try {
            f.complete(action.apply(rawNode));
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  @Override
  public RaftStatus status() {
    Status st;
    try {
      st = call(RawNode::status).get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new NodeStoppedException("raft node did not answer: " + e);
    }
    Map<Long, PeerProgress> progress = new TreeMap<>();
    if (st.progress() != null) {
      long staleBefore = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(2 * electionTimeoutMillis());
      st.progress()
          .forEach(
              (id, pr) -> {
                Long at = unreachableAt.get(id);
                progress.put(
                    id,
                    new PeerProgress(
                        pr.match(),
                        pr.next(),
                        pr.state().toString(),
                        pr.recentActive(),
                        at == null || at - staleBefore < 0,
                        pr.inflights().count()));
              });
    }
    var voters = st.config().voters();
    return new RaftStatus(
        st.id(),
        st.raftState(),
        st.term(),
        st.lead(),
        st.commit(),
        appliedIndex,
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
    long lead = lastLeaderSeen();
    if (lead == 0) {
      return Optional.empty();
    }
    return Optional.of(new RaftMember(lead, addresses.get(lead), true));
  }

  private long lastLeaderSeen() {
    try {
      return call(rn -> rn.basicStatus().softState().lead())
          .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      return 0;
    }
  }

  @Override
  public List<RaftMember> members() {
    ConfState cs = confState;
    List<RaftMember> out = new ArrayList<>();
    java.util.Set<Long> voters = new java.util.TreeSet<>(cs.getVotersList());
    voters.addAll(cs.getVotersOutgoingList());
    for (long id : voters) {
      out.add(new RaftMember(id, addresses.get(id), true));
    }
    for (long id : cs.getLearnersList()) {
      out.add(new RaftMember(id, addresses.get(id), false));
    }
    return out;
  }

  @Override
  public CompletableFuture<Void> addLearner(long id, URI url) {
    return proposeConfChange(ConfChangeType.ConfChangeAddLearnerNode, id, url);
  }

  @Override
  public CompletableFuture<Void> promote(long id) {
    return proposeConfChange(ConfChangeType.ConfChangeAddNode, id, addresses.get(id));
  }

  @Override
  public CompletableFuture<Void> remove(long id) {
    ConfState cs = confState;
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

  /**
   * Why removing voter {@code id} must wait, judged on the leader, or null: the voters that stay
   * and have caught up with the commit index must be a quorum of the new voters (etcd's strict
   * reconfiguration check). A stayer far behind may not know the newest configuration, and a
   * quorum that depends on it may not elect a leader again. Null when the removal may go ahead.
   */
  private static String removalRisk(Status st, long id) {
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

  private CompletableFuture<Void> proposeConfChange(ConfChangeType type, long id, URI url) {
    if (id == 0 || RaftUtil.isLocalTarget(id)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("invalid node id " + id));
    }
    CompletableFuture<Object> f = new CompletableFuture<>();
    if (!running) {
      f.completeExceptionally(new NodeStoppedException("raft node is not running"));
      return f.thenApply(x -> null);
    }
    long changeId = requestIds.incrementAndGet();
    pending.put(changeId, new PendingCommand(f, System.nanoTime() + settings.commandTimeout().toNanos()));
    ConfChange.Builder cc = ConfChange.newBuilder().setType(type).setNodeId(id).setId(changeId);
    if (url != null) {
      cc.setContext(urlBytes(url));
    }
    ConfChange change = cc.build();
    inbox.add(() -> propose(new Proposal(changeId, null, rn -> proposeChecked(rn, changeId, change))));
    return f.thenApply(x -> null);
  }

  /** On the raft loop: proposes {@code change}, unless it removes a voter too early. */
  private void proposeChecked(RawNode rn, long changeId, ConfChange change) {
    String risk =
        change.getType() == ConfChangeType.ConfChangeRemoveNode
            ? removalRisk(rn.status(), change.getNodeId())
            : null;
    if (risk == null) {
      rn.proposeConfChange(change);
      return;
    }
    PendingCommand p = pending.remove(changeId);
    if (p != null) {
      p.future.completeExceptionally(new IllegalStateException(risk));
    }
  }

  @Override
  public CompletableFuture<Void> transferLeadership(long id) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
    call(
            rn -> {
              rn.transferLeader(id);
              return null;
            })
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
    call(rn -> rn.basicStatus().softState().lead())
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
                CompletableFuture.delayedExecutor(tickNanos, TimeUnit.NANOSECONDS)
                    .execute(() -> pollLeader(id, deadline, done));
              }
            });
  }

  @Override
  public CompletableFuture<Long> triggerSnapshot() {
    CompletableFuture<Long> f = new CompletableFuture<>();
    if (snapshotter == null) {
      f.completeExceptionally(
          new IllegalStateException("no StateSnapshotter bean: snapshots are not supported"));
      return f;
    }
    applyQueue.add(() -> f.complete(maybeSnapshot(true)));
    return f;
  }

  // --- helpers -------------------------------------------------------------------------------------

  private long electionTimeoutMillis() {
    return settings.tickInterval().toMillis() * settings.raft().electionTick();
  }

  private Map<Long, URI> othersOf(Map<Long, URI> book) {
    Map<Long, URI> others = new TreeMap<>(book);
    others.remove(settings.nodeId());
    return others;
  }

  private static ByteString urlBytes(URI url) {
    return ByteString.copyFrom(url.toString(), StandardCharsets.UTF_8);
  }

  /** The current leader's id as last reported by a Ready (for metrics; may lag). */
  long knownLeader() {
    return leaderSeen;
  }

  /** Counters and gauges of this node, read without asking the raft loop. */
  public RaftServerMetrics metrics() {
    return metrics;
  }

  /** Listeners are metrics hooks: one that throws must not stop the raft loop. */
  private void notifyPersisted(long nanos) {
    for (RaftServerMetrics.PersistListener l : persistListeners) {
      try {
        l.persisted(nanos);
      } catch (RuntimeException e) {
        log.warn("raft persist listener failed", e);
      }
    }
  }

  private final class Metrics implements RaftServerMetrics {

    @Override
    public long nodeId() {
      return settings.nodeId();
    }

    @Override
    public StateType role() {
      return role;
    }

    @Override
    public long term() {
      return term;
    }

    @Override
    public long leaderId() {
      return leaderSeen;
    }

    @Override
    public long commitIndex() {
      return commitIndex;
    }

    @Override
    public long appliedIndex() {
      return appliedIndex;
    }

    @Override
    public long leaderChanges() {
      return leaderChanges.get();
    }

    @Override
    public long proposalsCommitted() {
      return proposalsCommitted.get();
    }

    @Override
    public long proposalsFailed() {
      return proposalsFailed.get();
    }

    @Override
    public long lastPersistNanos() {
      return lastPersistNanos.get();
    }

    @Override
    public long snapshotsTaken() {
      return snapshotsTaken.get();
    }

    @Override
    public long snapshotsSent() {
      return snapshotsSent.get();
    }

    @Override
    public long snapshotsFailed() {
      return snapshotsFailed.get();
    }

    @Override
    public long snapshotsReceived() {
      return snapshotsInstalled.get();
    }

    @Override
    public java.util.Set<Long> peerIds() {
      java.util.Set<Long> ids = new java.util.TreeSet<>(addresses.keySet());
      ids.remove(settings.nodeId());
      return ids;
    }

    @Override
    public void addPersistListener(PersistListener listener) {
      persistListeners.add(listener);
    }

    @Override
    public void removePersistListener(PersistListener listener) {
      persistListeners.remove(listener);
    }
  }

  long appliedIndex() {
    return appliedIndex;
  }

  long commitIndex() {
    return commitIndex;
  }

  private record PendingCommand(CompletableFuture<Object> future, long deadline) {}

  /** A command ({@code data}) or another proposal ({@code action}, e.g. a conf change). */
  private record Proposal(
      long id, ByteString data, java.util.function.Consumer<RawNode> action) {}

  private record PendingRead(CompletableFuture<Void> future, ReadConsistency consistency, long deadline) {}

  /**
   * Reads sharing one read-index request. {@code fromLease}: answered from this node's lease;
   * {@code leaderTerm}: the term this node led in when it issued the request (0 if it did not);
   * {@code issuedAtNanos}: when it issued it.
   */
  private record ReadBatch(
      List<CompletableFuture<Void>> futures,
      List<Long> deadlines,
      ReadConsistency consistency,
      long issuedAtTick,
      boolean fromLease,
      long leaderTerm,
      long issuedAtNanos) {}
}
