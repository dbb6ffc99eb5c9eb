package dev.raftboot.sim;

import com.google.protobuf.ByteString;
import dev.raftboot.Config;
import dev.raftboot.Describe;
import dev.raftboot.Logger;
import dev.raftboot.SilentLogger;
import dev.raftboot.MemoryStorage;
import dev.raftboot.Peer;
import dev.raftboot.ProposalDroppedException;
import dev.raftboot.RaftException;
import dev.raftboot.RaftUtil;
import dev.raftboot.RawNode;
import dev.raftboot.ReadState;
import dev.raftboot.Ready;
import dev.raftboot.SimBridge;
import dev.raftboot.SnapshotStatus;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeTransition;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.tracker.TrackerConfig;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deterministic simulation of a raft-core cluster: N {@link RawNode}s on a simulated network and
 * clock, with faults, driven by one seeded {@link SplittableRandom} and checked after every step.
 *
 * <p><b>Time and steps.</b> A priority queue of events ordered by (time, sequence number) drives
 * everything: node ticks (each node has its own slightly drifting period of about {@value #TICK}
 * time units), message deliveries, the local storage threads of nodes with asynchronous storage
 * writes, client operations and the fault injector. One event is one step; after each step {@link
 * Checker} checks the invariants. There are no threads, no wall clock and no iteration over hash
 * orders, so a seed replays exactly.
 *
 * <p><b>Nodes.</b> Each node runs the Ready loop as documented: persist snapshot, entries and hard
 * state to its {@link Disk}; send the messages; apply the snapshot and the committed entries
 * (calling {@code applyConfChange} for conf changes); then {@code advance()}. Nodes with {@code
 * asyncStorageWrites} instead hand {@code MsgStorageAppend} / {@code MsgStorageApply} to simulated
 * append and apply threads that work in FIFO order with random delays and step the responses back.
 * The state machine ({@link StateMachine}) records applied payloads; every {@code snapshotEvery}
 * applied entries a node snapshots it and compacts its log, so lagging and restarted nodes get
 * {@code MsgSnap} (whose outcome is reported with {@code reportSnapshot}).
 *
 * <p><b>Faults.</b> Message loss, delay spikes, reordering (random delays), duplication, symmetric
 * and one-way partitions, leader isolation, and crashes: a crash drops everything but the disk
 * (unfinished asynchronous writes are lost), and a restart builds a new {@code RawNode} from a
 * reloaded copy of the disk with {@code Config.applied} set to the state machine's durable applied
 * index, the state machine being rebuilt from the last snapshot plus the entries up to that index.
 *
 * <p><b>Operations.</b> Proposals of unique values, conf changes at the leader (add voter, add
 * learner, promote, demote, remove, and joint {@code ConfChangeV2}s with automatic or explicit
 * leave), leader transfers, spontaneous campaigns and {@code readIndex} requests. The simulated
 * application follows the practices a real one needs (each explained where it is implemented):
 * voters leave only under strict reconfiguration rules ({@link #canShrink}); nodes removed by a
 * committed configuration stop once every member knows it committed ({@link #retireRemoved});
 * Raft gets a fresh snapshot when the stored one predates the last conf change ({@link
 * NodeStorage}); and with asynchronous writes {@code applyConfChange} is skipped for entries a
 * snapshot already covers ({@link #applyEntries}).
 *
 * <p><b>End.</b> After the configured number of steps all faults heal (partitions, loss,
 * duplication, delay spikes; crashed nodes restart) and the run must elect a leader and commit a
 * new proposal within {@link Options#livenessTicks} ticks.
 */
public final class Simulation {

  /** Simulated time units per tick. */
  static final long TICK = 10;

  /** What to run. */
  public static final class Options {
    public long seed;
    /** Steps (events) with faults before healing. */
    public int steps = 3000;
    /** Ticks allowed after healing for a leader to commit a new proposal. */
    public int livenessTicks = 2000;
    public Broken broken = Broken.NONE;
    public EnumSet<Check> checks = EnumSet.allOf(Check.class);
    /** Trace Raft's own log lines too (slower; for replays). */
    public boolean verbose;
    public int traceLines = 60;
    /**
     * Let conf changes remove or demote a voter of a two-voter configuration (by a joint change),
     * which can stall the cluster for good (etcd-io/etcd#12359); off by default.
     */
    public boolean shrinkTwoVoters;

    public Options seed(long s) {
      seed = s;
      return this;
    }

    public Options steps(int s) {
      steps = s;
      return this;
    }

    public Options broken(Broken b) {
      broken = b;
      return this;
    }

    public Options checks(EnumSet<Check> c) {
      checks = c;
      return this;
    }

    public Options verbose(boolean v) {
      verbose = v;
      return this;
    }

    public Options traceLines(int n) {
      traceLines = n;
      return this;
    }
  }

  /** The outcome of one seed: {@code failed} is null when every check held. */
  public record Result(
      long seed, Check failed, String message, long step, String report, SimStats stats,
      long fingerprint) {

    public boolean ok() {
      return failed == null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // scenario, drawn from the seed

  private final Options opt;
  private final SplittableRandom rnd;
  private final int clusterSize;
  private final int storageMode; // 0 sync, 1 async, 2 mixed
  private final boolean preVote;
  private final boolean checkQuorum;
  private final int electionTick;
  private final int heartbeatTick;
  private final long maxSizePerMsg;
  private final long maxCommittedSizePerReady;
  private final long maxUncommittedSize;
  private final int maxInflight;
  private final boolean stepDownOnRemoval;
  private final int snapshotEvery;
  private final int snapshotKeep;
  private final int localMaxDelay;
  private final double baseLoss;
  private final double baseDup;
  private final double baseSpike;
  private final int baseMaxDelay;
  private final int nemesisGap;
  private final boolean fifoLinks;
  private final int clientGap;
  private final int maxMembers;
  private final int maxIds;

  // ---------------------------------------------------------------------------------------------
  // state

  private final TreeMap<Long, SimNode> nodes = new TreeMap<>();
  private final Checker checker;
  private final SimStats stats = new SimStats();
  private final Trace trace;
  private final Logger raftLogger;
  private final PriorityQueue<Ev> queue =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;
  private long step;
  private boolean chaos = true;
  private final ArrayList<SimNode> dirty = new ArrayList<>();

  // network
  private final HashMap<Long, Integer> cuts = new HashMap<>();
  private double loss;
  private double dup;
  private double spike;
  private int maxDelay;
  private long sendSeq;
  private final HashMap<Long, Long> lastDelivered = new HashMap<>();
  private final HashMap<Long, Long> linkBusyUntil = new HashMap<>();

  // clients
  private long proposalCounter;
  private long readCounter;
  private final HashMap<ByteString, Long> pendingReads = new HashMap<>();
  private long nextId;
  private long spareId;
  private long latestConfIndex;
  private TreeSet<Long> latestMembers;

  public Simulation(Options opt) {
    this.opt = opt;
    this.trace = new Trace(Math.max(400, opt.traceLines));
    this.rnd = new SplittableRandom(opt.seed);
    this.clusterSize = rnd.nextBoolean() ? 3 : 5;
    int mode = rnd.nextInt(100);
    this.storageMode =
        opt.broken == Broken.ACK_BEFORE_PERSIST ? 1 : mode < 45 ? 0 : mode < 80 ? 1 : 2;
    this.preVote = rnd.nextInt(4) != 0;
    this.checkQuorum = rnd.nextBoolean();
    this.electionTick = 10;
    this.heartbeatTick = 1 + rnd.nextInt(2);
    this.maxSizePerMsg = pick(0L, 64L, 512L, RaftUtil.NO_LIMIT);
    // Both zero would leave no apply quota at all (etcd raft panics there too).
    this.maxCommittedSizePerReady =
        maxSizePerMsg == 0 ? pick(128L, RaftUtil.NO_LIMIT) : pick(0L, 128L, RaftUtil.NO_LIMIT);
    this.maxUncommittedSize = pick(0L, 0L, 300L);
    this.maxInflight = (int) pick(1L, 4L, 32L, 256L);
    this.stepDownOnRemoval = rnd.nextBoolean();
    this.snapshotEvery = (int) pick(5L, 20L, 100L);
    this.snapshotKeep = (int) pick(0L, 3L, 20L);
    this.localMaxDelay = (int) pick(2L, 10L, 40L);
    this.baseLoss = pick(0.0, 0.01, 0.05);
    this.baseDup = pick(0.0, 0.01, 0.05);
    this.baseSpike = pick(0.0, 0.01, 0.05);
    this.baseMaxDelay = (int) pick(3L, 10L, 30L);
    this.nemesisGap = (int) pick(100L, 300L, 800L);
    this.fifoLinks = rnd.nextBoolean();
    this.clientGap = (int) pick(5L, 15L, 40L);
    this.maxMembers = clusterSize + 2;
    this.maxIds = clusterSize + 5;
    this.loss = baseLoss;
    this.dup = baseDup;
    this.spike = baseSpike;
    this.maxDelay = baseMaxDelay;
    this.checker = new Checker(opt.checks, nodes);
    this.raftLogger = opt.verbose ? new TraceLogger() : SilentLogger.INSTANCE;
  }

  private long pick(long... values) {
    return values[rnd.nextInt(values.length)];
  }

  private double pick(double... values) {
    return values[rnd.nextInt(values.length)];
  }

  /** The scenario parameters, for reports. */
  String scenario() {
    return String.format(
        "nodes=%d storage=%s preVote=%b checkQuorum=%b heartbeatTick=%d maxSizePerMsg=%d"
            + " maxCommittedSizePerReady=%d maxUncommittedSize=%d maxInflight=%d"
            + " stepDownOnRemoval=%b snapshotEvery=%d keep=%d localDelay<=%d loss=%.2f dup=%.2f"
            + " spike=%.2f delay<=%d fifo=%b nemesisGap=%d clientGap=%d broken=%s",
        clusterSize, storageMode == 0 ? "sync" : storageMode == 1 ? "async" : "mixed", preVote,
        checkQuorum, heartbeatTick, maxSizePerMsg, maxCommittedSizePerReady, maxUncommittedSize,
        maxInflight, stepDownOnRemoval, snapshotEvery, snapshotKeep, localMaxDelay, baseLoss,
        baseDup, baseSpike, baseMaxDelay, fifoLinks, nemesisGap, clientGap, opt.broken);
  }

  // ---------------------------------------------------------------------------------------------
  // running

  /** Runs the scenario to its end or to the first violation. */
  public Result run() {
    stats.seeds = 1;
    trace.add("scenario " + scenario());
    try {
      setup();
      while (step < opt.steps) {
        stepOnce();
      }
      heal();
      long healedAt = now;
      long deadline = now + opt.livenessTicks * TICK;
      ByteString probe = ByteString.copyFromUtf8("live-" + opt.seed);
      schedule(new LivenessProbe(probe), 0);
      while (!checker.isCommittedPayload(probe)) {
        if (queue.isEmpty() || queue.peek().time > deadline) {
          checker.failLiveness(
              String.format(
                  "no new proposal committed within %d ticks after healing (leader: %s);%s",
                  opt.livenessTicks, findLeader(), nodeSummaries()));
          break;
        }
        stepOnce();
      }
      long ticks = (now - healedAt) / TICK;
      stats.livenessMaxTicks = ticks;
      stats.livenessTotalTicks = ticks;
      return finish(null, null, null);
    } catch (SimViolation v) {
      return finish(v.check, v.getMessage(), v.getCause());
    } catch (RuntimeException | StackOverflowError e) {
      return finish(Check.NO_PANIC, "unexpected " + e, e);
    }
  }

  private Result finish(Check failed, String message, Throwable cause) {
    stats.steps = step;
    stats.ticks = now / TICK;
    stats.clientEntriesCommitted = checker.clientEntriesCommitted;
    String report = null;
    if (failed != null) {
      stats.violations = 1;
      StringBuilder sb = new StringBuilder();
      sb.append("SIMULATION FAILED: seed=").append(opt.seed).append(" step=").append(step)
          .append(" time=").append(now).append('\n');
      sb.append("  violated ").append(message).append('\n');
      sb.append("  scenario ").append(scenario()).append('\n');
      sb.append("  replay: mvn -B -o -pl raft-core test -Dtest=SimulationTest#replay -Dsim.seed=")
          .append(opt.seed).append(" -Dsim.steps=").append(opt.steps);
      if (opt.broken != Broken.NONE) {
        sb.append(" -Dsim.broken=").append(opt.broken);
      }
      if (!opt.checks.equals(EnumSet.allOf(Check.class))) {
        sb.append(" -Dsim.checks=");
        StringBuilder cs = new StringBuilder();
        for (Check c : opt.checks) {
          cs.append(cs.length() > 0 ? "," : "").append(c);
        }
        sb.append(cs);
      }
      sb.append(" (add -Dsim.verbose=true for Raft's own log lines)\n");
      if (cause != null) {
        sb.append("  cause: ").append(cause).append('\n');
        StackTraceElement[] st = cause.getStackTrace();
        for (int i = 0; i < Math.min(12, st.length); i++) {
          sb.append("    at ").append(st[i]).append('\n');
        }
      }
      sb.append("  trace (last ").append(Math.min(opt.traceLines, trace.count()))
          .append(" of ").append(trace.count()).append(" items):\n");
      sb.append(trace.tail(opt.traceLines));
      report = sb.toString();
    }
    long fp = 17;
    for (long v :
        new long[] {
          step, now, stats.msgsSent, stats.msgsLost, stats.entriesApplied, checker.maxCommitted,
          stats.leadersElected, stats.snapshotsInstalled, stats.confChangesApplied, trace.count()
        }) {
      fp = fp * 1_000_003 + v;
    }
    return new Result(opt.seed, failed, message, step, report, stats, fp);
  }

  private void stepOnce() {
    Ev e = queue.poll();
    if (e == null) {
      checker.failLiveness("nothing left to simulate: every node is down");
      return;
    }
    now = e.time;
    step++;
    trace.step = step;
    trace.now = now;
    trace.add(e);
    e.run();
    retireRemoved();
    checker.afterStep(dirty);
    for (SimNode n : dirty) {
      n.dirty = false;
      n.diskDirty = false;
    }
    dirty.clear();
  }

  private void schedule(Ev e, long delay) {
    e.time = now + delay;
    e.seq = ++seq;
    queue.add(e);
  }

  private void markDirty(SimNode n) {
    if (!n.dirty) {
      n.dirty = true;
      dirty.add(n);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // nodes

  private Config baseConfig(SimNode n) {
    return new Config()
        .id(n.id)
        .electionTick(electionTick)
        .heartbeatTick(heartbeatTick)
        .maxSizePerMsg(maxSizePerMsg)
        .maxCommittedSizePerReady(maxCommittedSizePerReady)
        .maxUncommittedEntriesSize(maxUncommittedSize)
        .maxInflightMsgs(maxInflight)
        .checkQuorum(checkQuorum)
        .preVote(preVote)
        .stepDownOnRemoval(stepDownOnRemoval)
        .asyncStorageWrites(n.async)
        .logger(raftLogger)
        .random(rnd.split());
  }

  private SimNode newNode(long id) {
    boolean async = storageMode == 1 || (storageMode == 2 && rnd.nextBoolean());
    SimNode n = new SimNode(id, async);
    if (async) {
      stats.asyncNodes++;
    } else {
      stats.syncNodes++;
    }
    nodes.put(id, n);
    n.sm = new StateMachine();
    n.rn = new RawNode(baseConfig(n).storage(new NodeStorage(n.disk.storage, s -> stale(n, s))));
    startTicking(n);
    return n;
  }

  private void setup() {
    List<Peer> peers = new ArrayList<>();
    for (long id = 1; id <= clusterSize; id++) {
      peers.add(new Peer(id));
    }
    for (long id = 1; id <= clusterSize; id++) {
      SimNode n = newNode(id);
      n.rn.bootstrap(peers);
      n.bootstrapIndex = clusterSize;
      // Bootstrapping is done before the cluster starts: write it through, threads included.
      drain(n);
      while (!n.appendQueue.isEmpty() || !n.applyQueue.isEmpty()) {
        if (!n.appendQueue.isEmpty()) {
          processAppend(n, n.appendQueue.poll());
        } else {
          processApply(n, n.applyQueue.poll());
        }
        drain(n);
      }
      n.appendBusy = false;
      n.applyBusy = false;
    }
    for (SimNode n : nodes.values()) {
      n.everMember = true;
    }
    nextId = clusterSize + 1;
    schedule(new Nemesis(), nemesisGap + rnd.nextInt(nemesisGap));
    schedule(new Client(), 1 + rnd.nextInt(clientGap));
    checker.afterStep(dirty);
    dirty.forEach(n -> n.dirty = n.diskDirty = false);
    dirty.clear();
  }

  private void startTicking(SimNode n) {
    n.tickInterval = TICK - 1 + rnd.nextInt(3);
    schedule(new Tick(n, n.incarnation), 1 + rnd.nextInt((int) TICK));
  }

  private void crash(SimNode n, boolean retire) {
    n.rn = null;
    n.snapshotHandedOut = 0;
    n.bootstrapIndex = 0;
    n.snapshotPending = false;
    n.sm = null;
    n.incarnation++;
    n.appendQueue.clear();
    n.applyQueue.clear();
    n.appendBusy = false;
    n.applyBusy = false;
    markDirty(n);
    if (retire) {
      n.retired = true;
      stats.nodesRetired++;
      trace.add("retire " + n + " (removed from the configuration)");
    } else {
      stats.crashes++;
      trace.add("crash " + n);
    }
  }

  private void restart(SimNode n) {
    if (n.up() || n.retired) {
      return;
    }
    stats.restarts++;
    Disk d = n.disk;
    MemoryStorage mem = d.reload();
    long applied = d.ckptApplied;
    long term = mem.initialState().hardState().getTerm();
    StateMachine sm = StateMachine.fromSnapshot(mem.snapshot());
    if (sm.applied > 0) {
      checker.onSnapshotInstalled(n, sm.applied, sm.hash);
    }
    for (long i = sm.applied + 1; i <= applied; i++) {
      Entry e = d.entry(i);
      if (e == null) {
        throw new SimViolation(
            Check.COMMITTED_NEVER_LOST,
            String.format(
                "node %d applied index %d before crashing but its disk no longer has it", n.id, i));
      }
      sm.apply(e);
      checker.onApply(n, e, sm.hash, term);
    }
    sm.confState = d.ckptConf;
    n.sm = sm;
    Config c =
        baseConfig(n).storage(new NodeStorage(mem, d.ckptConf, applied, s -> stale(n, s)));
    if (applied > 0) {
      c.applied(applied);
    }
    n.rn = new RawNode(c);
    n.commitSeen = SimBridge.committed(n.rn);
    n.lastState = StateType.FOLLOWER;
    markDirty(n);
    trace.add("restart " + n + " applied=" + applied + " " + Describe.hardState(
        mem.initialState().hardState()));
    startTicking(n);
    drain(n);
  }

  /** Handles Readys until the node has none (each Ready may make the next one). */
  private void drain(SimNode n) {
    int guard = 0;
    while (n.rn != null && n.rn.hasReady()) {
      if (++guard > 10_000) {
        checker.failPanic("node " + n.id + " keeps producing Readys");
      }
      Ready rd = n.rn.ready();
      markDirty(n);
      handleReady(n, rd);
    }
  }

  private void handleReady(SimNode n, Ready rd) {
    RawNode rn = n.rn;
    trace.add(new Lazy(() -> n + " ready " + Describe.ready(rd).replace('\n', ' ')));
    if (rd.softState() != null) {
      StateType st = rd.softState().raftState();
      if (st == StateType.LEADER && n.lastState != StateType.LEADER) {
        stats.leadersElected++;
        trace.add(n + " became leader at term " + SimBridge.term(rn));
      }
      n.lastState = st;
    }
    if (!n.async) {
      persist(n, rd.snapshot(), rd.entries(), rd.hardState());
      for (Message m : rd.messages()) {
        send(n, m);
      }
      if (rd.hasSnapshot()) {
        installSnapshot(n, rd.snapshot());
      }
      applyEntries(n, rd.committedEntries());
      readStates(n, rd.readStates());
      if (n.rn == rn) {
        rn.advance();
      }
      return;
    }
    for (Message m : rd.messages()) {
      if (m.getTo() == RaftUtil.LOCAL_APPEND_THREAD) {
        if (m.hasSnapshot()) {
          n.snapshotHandedOut =
              Math.max(n.snapshotHandedOut, m.getSnapshot().getMetadata().getIndex());
        }
        if (opt.broken == Broken.ACK_BEFORE_PERSIST) {
          // Broken: acknowledgements to other nodes leave now, before the write is durable.
          Message.Builder b = m.toBuilder().clearResponses();
          for (Message r : m.getResponsesList()) {
            if (r.getTo() != n.id) {
              send(n, r);
            } else {
              b.addResponses(r);
            }
          }
          m = b.build();
        }
        n.appendQueue.add(m);
        if (!n.appendBusy) {
          n.appendBusy = true;
          schedule(new AppendWork(n, n.incarnation), 1 + rnd.nextInt(localMaxDelay));
        }
      } else if (m.getTo() == RaftUtil.LOCAL_APPLY_THREAD) {
        n.applyQueue.add(m);
        if (!n.applyBusy) {
          n.applyBusy = true;
          schedule(new ApplyWork(n, n.incarnation), 1 + rnd.nextInt(localMaxDelay));
        }
      } else {
        send(n, m);
      }
    }
    readStates(n, rd.readStates());
  }

  private void persist(SimNode n, Snapshot snap, List<Entry> ents, HardState hs) {
    Disk d = n.disk;
    if (!RaftUtil.isEmptySnap(snap)) {
      checker.beforeDiskSnapshot(n, snap);
      d.storage.applySnapshot(snap);
    }
    if (!ents.isEmpty()) {
      checker.beforeDiskAppend(n, ents);
      d.storage.append(ents);
    }
    if (!RaftUtil.isEmptyHardState(hs)) {
      d.storage.setHardState(hs);
    }
    n.diskDirty = true;
    markDirty(n);
  }

  /** The append thread: persist one {@code MsgStorageAppend}, then deliver its responses. */
  private void processAppend(SimNode n, Message m) {
    HardState hs =
        m.getTerm() != 0 || m.getVote() != 0 || m.getCommit() != 0
            ? HardState.newBuilder()
                .setTerm(m.getTerm())
                .setVote(m.getVote())
                .setCommit(m.getCommit())
                .build()
            : HardState.getDefaultInstance();
    Snapshot snap = m.hasSnapshot() ? m.getSnapshot() : Snapshot.getDefaultInstance();
    persist(n, snap, m.getEntriesList(), hs);
    if (!RaftUtil.isEmptySnap(snap)) {
      installSnapshot(n, snap);
    }
    for (Message r : m.getResponsesList()) {
      if (r.getTo() == n.id) {
        stepLocal(n, r);
      } else {
        send(n, r);
      }
    }
  }

  /** The apply thread: apply one {@code MsgStorageApply}, then step its responses back. */
  private void processApply(SimNode n, Message m) {
    applyEntries(n, m.getEntriesList());
    for (Message r : m.getResponsesList()) {
      stepLocal(n, r);
    }
  }

  private void stepLocal(SimNode n, Message r) {
    try {
      n.rn.step(r);
    } catch (ProposalDroppedException e) {
      stats.proposalsDropped++;
    } catch (RaftException e) {
      // e.g. our own acknowledgement after we were removed from our configuration
      stats.stepErrors++;
    }
  }

  private void installSnapshot(SimNode n, Snapshot snap) {
    long idx = snap.getMetadata().getIndex();
    n.sm = StateMachine.fromSnapshot(snap);
    checker.onSnapshotInstalled(n, idx, n.sm.hash);
    n.disk.ckptApplied = idx;
    n.disk.ckptConf = snap.getMetadata().getConfState();
    stats.snapshotsInstalled++;
    trace.add(n + " installed snapshot at index " + idx);
    onCommittedConf(idx, snap.getMetadata().getConfState());
  }

  private void applyEntries(SimNode n, List<Entry> ents) {
    if (ents.isEmpty()) {
      return;
    }
    StateMachine sm = n.sm;
    long term = SimBridge.term(n.rn);
    for (Entry e : ents) {
      if (e.getIndex() <= sm.applied) {
        // Already in the state machine through a snapshot that overtook this apply.
        checker.onSkippedApply(n, e, term);
        continue;
      }
      sm.apply(e);
      if (e.getType() == EntryType.EntryConfChange || e.getType() == EntryType.EntryConfChangeV2) {
        ConfChangeV2 cc = ConfStates.decode(e);
        sm.confState = ConfStates.apply(sm.confState, cc);
        if (e.getIndex() > n.snapshotHandedOut) {
          // Raft's configuration moves here. Not for an entry that a snapshot Raft has already
          // accepted covers (asynchronous writes: the snapshot overtook this apply): Raft's
          // configuration includes this change already, and applying it again would fail or, worse,
          // silently undo a later change.
          ConfState cs = n.rn.applyConfChange(cc);
          if (e.getIndex() > n.bootstrapIndex) {
            // (bootstrap() applied the initial configuration up front; its entries come again)
            checker.onConfApplied(n, e, cs, sm.confState);
          }
        }
        onCommittedConf(e.getIndex(), sm.confState);
      }
      checker.onApply(n, e, sm.hash, term);
      stats.entriesApplied++;
    }
    n.disk.ckptApplied = sm.applied;
    n.disk.ckptConf = sm.confState;
    maybeSnapshot(n);
  }

  /**
   * Whether Raft may not send {@code s} yet: it predates the last conf change applied, so a node
   * added since would refuse it. Then a fresh snapshot is built shortly.
   */
  private boolean stale(SimNode n, Snapshot s) {
    if (n.sm == null || n.sm.lastConfIndex <= s.getMetadata().getIndex()) {
      return false;
    }
    if (!n.snapshotPending) {
      n.snapshotPending = true;
      stats.snapshotsOnDemand++;
      schedule(new SnapshotNow(n, n.incarnation), 1 + rnd.nextInt(20));
    }
    return true;
  }

  private void maybeSnapshot(SimNode n) {
    maybeSnapshot(n, false);
  }

  private void maybeSnapshot(SimNode n, boolean force) {
    Disk d = n.disk;
    long a = n.sm.applied;
    if (a <= d.snapIndex() || (!force && a - d.snapIndex() < snapshotEvery) || a > d.lastIndex()) {
      return;
    }
    d.storage.createSnapshot(a, n.sm.confState, n.sm.encode());
    long compactTo = a - snapshotKeep;
    if (compactTo > d.offset()) {
      d.storage.compact(compactTo);
    }
    stats.snapshotsCreated++;
    n.diskDirty = true;
  }

  private void readStates(SimNode n, List<ReadState> rss) {
    for (ReadState rs : rss) {
      Long atRequest = pendingReads.get(rs.requestCtx());
      if (atRequest != null) {
        stats.readsServed++;
        checker.onReadState(n, rs.requestCtx(), rs.index(), atRequest);
      }
    }
  }

  /** A configuration is committed at {@code index}: stop the nodes it removed. */
  private void onCommittedConf(long index, ConfState cs) {
    TreeSet<Long> members = new TreeSet<>();
    members.addAll(cs.getVotersList());
    members.addAll(cs.getVotersOutgoingList());
    members.addAll(cs.getLearnersList());
    members.addAll(cs.getLearnersNextList());
    for (long id : members) {
      SimNode m = nodes.get(id);
      if (m != null) {
        m.everMember = true;
      }
      if (id == spareId) {
        spareId = 0;
      }
    }
    if (index <= latestConfIndex) {
      return;
    }
    latestConfIndex = index;
    stats.confChangesApplied++;
    trace.add("configuration at index " + index + ": " + Describe.confState(cs));
    latestMembers = members;
  }

  /**
   * Stops the nodes that the latest committed configuration removed, once every member of that
   * configuration knows it is committed. Stopping them earlier can strand the cluster: a member
   * that has not learned the commit still counts the removed node (say, in the outgoing half of a
   * joint configuration) and cannot get anything committed without it. (etcd delays the shutdown
   * of a removed member for the same reason.)
   */
  private void retireRemoved() {
    if (latestMembers == null) {
      return;
    }
    boolean removedAny = false;
    for (SimNode m : nodes.values()) {
      if (m.everMember && !m.retired && !latestMembers.contains(m.id)) {
        removedAny = true;
        break;
      }
    }
    if (!removedAny) {
      return;
    }
    for (long id : latestMembers) {
      SimNode m = nodes.get(id);
      if (m == null || !m.up() || SimBridge.committed(m.rn) < latestConfIndex) {
        return;
      }
    }
    for (SimNode m : nodes.values()) {
      if (m.everMember && !m.retired && !latestMembers.contains(m.id)) {
        schedule(new Retire(m), 1 + rnd.nextInt(20));
        m.retired = true; // decided; the process stops shortly
        m.retiring = true;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // network

  private static long link(long from, long to) {
    return (from << 32) ^ to;
  }

  private boolean isCut(long from, long to) {
    return cuts.containsKey(link(from, to));
  }

  private void cut(long from, long to, int delta) {
    long k = link(from, to);
    int v = cuts.getOrDefault(k, 0) + delta;
    if (v <= 0) {
      cuts.remove(k);
    } else {
      cuts.put(k, v);
    }
  }

  private void send(SimNode from, Message m) {
    if (opt.broken == Broken.NO_VOTES
        && (m.getType() == MessageType.MsgVoteResp || m.getType() == MessageType.MsgPreVoteResp)
        && !m.getReject()
        && m.getTo() != m.getFrom()) {
      return; // broken: never grant anybody else
    }
    stats.msgsSent++;
    if (m.getType() == MessageType.MsgSnap) {
      stats.snapshotsSent++;
    }
    if (isCut(m.getFrom(), m.getTo())) {
      stats.msgsCutByPartition++;
      undelivered(m);
      return;
    }
    if (rnd.nextDouble() < loss) {
      stats.msgsLost++;
      undelivered(m);
      return;
    }
    long s = ++sendSeq;
    schedule(new Deliver(m, s, true), delay(m));
    if (rnd.nextDouble() < dup) {
      stats.msgsDuplicated++;
      schedule(new Deliver(m, s, false), delay(m));
    }
  }

  /** The delay of one message; on FIFO links never earlier than the link's previous message. */
  private long delay(Message m) {
    long d = delay();
    if (fifoLinks) {
      long k = link(m.getFrom(), m.getTo());
      long at = Math.max(now + d, linkBusyUntil.getOrDefault(k, 0L));
      linkBusyUntil.put(k, at);
      d = at - now;
    }
    return d;
  }

  private long delay() {
    long d = 1 + rnd.nextInt(maxDelay);
    if (spike > 0 && rnd.nextDouble() < spike) {
      stats.msgsDelayed++;
      d += 30 + rnd.nextInt(300);
    }
    return d;
  }

  /** What the sender's transport learns of a message that did not arrive. */
  private void undelivered(Message m) {
    SimNode from = nodes.get(m.getFrom());
    if (from == null || !from.up()) {
      return;
    }
    if (m.getType() == MessageType.MsgSnap) {
      stats.snapshotFailures++;
      schedule(new SnapStatus(from, from.incarnation, m.getTo(), SnapshotStatus.FAILURE),
          1 + rnd.nextInt(20));
    } else if (m.getType() == MessageType.MsgApp && rnd.nextInt(4) == 0) {
      stats.unreachableReports++;
      schedule(new Unreachable(from, from.incarnation, m.getTo()), 1 + rnd.nextInt(10));
    }
  }

  private void deliver(Message m, long s, boolean primary) {
    SimNode to = nodes.get(m.getTo());
    if (isCut(m.getFrom(), m.getTo())) {
      stats.msgsCutByPartition++;
      if (primary) {
        undelivered(m);
      }
      return;
    }
    if (to == null || !to.up()) {
      stats.msgsToDownNode++;
      if (primary) {
        undelivered(m);
      }
      return;
    }
    long k = link(m.getFrom(), m.getTo());
    Long last = lastDelivered.get(k);
    if (last != null && s < last) {
      stats.msgsReordered++;
    } else {
      lastDelivered.put(k, s);
    }
    if (primary && m.getType() == MessageType.MsgSnap) {
      SimNode from = nodes.get(m.getFrom());
      if (from != null && from.up()) {
        schedule(new SnapStatus(from, from.incarnation, m.getTo(), SnapshotStatus.FINISH),
            1 + rnd.nextInt(10));
      }
    }
    RawNode rn = to.rn;
    m = brokenIncoming(to, m);
    markDirty(to);
    try {
      rn.step(m);
    } catch (ProposalDroppedException e) {
      stats.proposalsDropped++;
    } catch (RaftException e) {
      stats.stepErrors++;
    }
    brokenAfterStep(to, m);
    drain(to);
  }

  private Message brokenIncoming(SimNode to, Message m) {
    RawNode rn = to.rn;
    switch (opt.broken) {
      case SKIP_APPEND_CHECK:
        if (m.getType() == MessageType.MsgApp) {
          long t = SimBridge.termAt(rn, m.getIndex());
          if (t >= 0 && t != m.getLogTerm()) {
            trace.add("broken: " + to + " skips the consistency check of " + Describe.message(m));
            return m.toBuilder().setLogTerm(t).build();
          }
        }
        return m;
      case VOTE_FOR_STALE:
      case VOTE_FOR_STALE_APPLY:
        if ((m.getType() == MessageType.MsgVote || m.getType() == MessageType.MsgPreVote)
            && !SimBridge.isUpToDate(rn, m.getIndex(), m.getLogTerm())) {
          long li = SimBridge.lastIndex(rn);
          trace.add("broken: " + to + " ignores that " + m.getFrom() + "'s log is stale");
          return m.toBuilder().setIndex(li).setLogTerm(SimBridge.termAt(rn, li)).build();
        }
        return m;
      default:
        return m;
    }
  }

  private void brokenAfterStep(SimNode to, Message m) {
    if (opt.broken != Broken.DOUBLE_VOTE || m.getType() != MessageType.MsgVote || !to.up()) {
      return;
    }
    RawNode rn = to.rn;
    long vote = SimBridge.vote(rn);
    if (SimBridge.term(rn) == m.getTerm()
        && vote != RaftUtil.NONE
        && vote != m.getFrom()
        && SimBridge.isUpToDate(rn, m.getIndex(), m.getLogTerm())) {
      trace.add("broken: " + to + " grants a second vote in term " + m.getTerm() + " to "
          + m.getFrom());
      send(
          to,
          Message.newBuilder()
              .setType(MessageType.MsgVoteResp)
              .setFrom(to.id)
              .setTo(m.getFrom())
              .setTerm(m.getTerm())
              .build());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // clients

  /** One line per node: role, term, log positions and configuration. */
  private String nodeSummaries() {
    StringBuilder sb = new StringBuilder();
    for (SimNode n : nodes.values()) {
      sb.append("\n    ").append(n).append(": ");
      if (n.retired) {
        sb.append("retired");
      } else if (!n.up()) {
        sb.append("down");
      } else {
        RawNode rn = n.rn;
        sb.append(String.format(
            "%s term=%d vote=%d lead=%d commit=%d applied=%d last=%d/%d config=%s",
            SimBridge.state(rn), SimBridge.term(rn), SimBridge.vote(rn), SimBridge.lead(rn),
            SimBridge.committed(rn), SimBridge.applied(rn),
            SimBridge.termAt(rn, SimBridge.lastIndex(rn)), SimBridge.lastIndex(rn),
            SimBridge.config(rn)));
      }
      sb.append(String.format(" disk: snap=%d offset=%d last=%d ckpt=%d %s", n.disk.snapIndex(),
          n.disk.offset(), n.disk.lastIndex(), n.disk.ckptApplied,
          Describe.confState(n.disk.ckptConf)));
    }
    return sb.toString();
  }

  private SimNode findLeader() {
    SimNode best = null;
    for (SimNode n : nodes.values()) {
      if (n.up() && SimBridge.state(n.rn) == StateType.LEADER
          && (best == null || SimBridge.term(n.rn) > SimBridge.term(best.rn))) {
        best = n;
      }
    }
    return best;
  }

  private SimNode randomUpNode() {
    List<SimNode> up = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      if (n.up()) {
        up.add(n);
      }
    }
    return up.isEmpty() ? null : up.get(rnd.nextInt(up.size()));
  }

  private void propose(SimNode n, ByteString value) {
    stats.proposals++;
    markDirty(n);
    try {
      n.rn.propose(value);
      trace.add("propose " + value.toStringUtf8() + " at " + n);
      if (!chaos) {
        trace.add(n + " status " + n.rn.status());
      }
    } catch (ProposalDroppedException e) {
      stats.proposalsDropped++;
    }
    drain(n);
  }

  private void clientOp() {
    int r = rnd.nextInt(100);
    SimNode leader = findLeader();
    SimNode n = leader != null && rnd.nextBoolean() ? leader : randomUpNode();
    if (n == null) {
      return;
    }
    if (r < 62) {
      propose(n, ByteString.copyFromUtf8("p" + (++proposalCounter)));
    } else if (r < 72) {
      if (leader != null) {
        proposeConfChange(leader);
      }
    } else if (r < 77) {
      if (leader != null) {
        List<Long> voters = new ArrayList<>(SimBridge.config(leader.rn).voters().ids());
        long target = voters.get(rnd.nextInt(voters.size()));
        stats.transfers++;
        trace.add("transfer leadership to n" + target + " via " + n);
        markDirty(n);
        n.rn.transferLeader(target);
        drain(n);
      }
    } else if (r < 92) {
      ByteString ctx = ByteString.copyFromUtf8("r" + (++readCounter));
      stats.readsRequested++;
      pendingReads.put(ctx, checker.maxCommitted);
      markDirty(n);
      if (opt.broken == Broken.STALE_READ) {
        // Broken: serve the read from the local commit index, without asking Raft.
        stats.readsServed++;
        checker.onReadState(n, ctx, SimBridge.committed(n.rn), checker.maxCommitted);
      } else {
        n.rn.readIndex(ctx);
        drain(n);
      }
    } else if (r < 94) {
      stats.campaigns++;
      trace.add("campaign at " + n);
      markDirty(n);
      n.rn.campaign();
      drain(n);
    }
  }

  /** A new node for an addition: the pending spare if there is one, else a fresh id. */
  private long spare() {
    if (spareId != 0 && nodes.get(spareId) != null && !nodes.get(spareId).retired) {
      return spareId;
    }
    if (nextId > maxIds) {
      return 0;
    }
    long id = nextId++;
    newNode(id);
    stats.nodesAdded++;
    trace.add("start n" + id + " (empty, to be added)");
    spareId = id;
    return id;
  }

  private void proposeConfChange(SimNode leader) {
    TrackerConfig cfg = SimBridge.config(leader.rn);
    ConfChangeV2.Builder v2 = ConfChangeV2.newBuilder();
    ConfChange v1 = null;
    if (cfg.voters().isJoint()) {
      if (cfg.autoLeave() && rnd.nextInt(5) != 0) {
        return; // Raft leaves by itself
      }
      // an empty ConfChangeV2 leaves the joint configuration
    } else {
      List<Long> voters = new ArrayList<>(cfg.voters().incoming().ids());
      List<Long> learners = new ArrayList<>(cfg.learners());
      int members = voters.size() + learners.size();
      // Voters leave (removal, demotion) only under two rules a careful application follows
      // (see canShrink): with them off, the cluster can stall for good.
      int op = rnd.nextInt(7);
      if (op <= 1 && members < maxMembers) {
        long id = spare();
        if (id == 0) {
          return;
        }
        ConfChangeType t =
            op == 0 ? ConfChangeType.ConfChangeAddNode : ConfChangeType.ConfChangeAddLearnerNode;
        v1 = ConfChange.newBuilder().setType(t).setNodeId(id).build();
      } else if (op == 2 && !learners.isEmpty()) {
        long id = learners.get(rnd.nextInt(learners.size()));
        v1 = ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(id).build();
      } else if (op == 3 && voters.size() >= 2) {
        long id = voters.get(rnd.nextInt(voters.size()));
        if (!canShrink(leader, voters, id, 0)) {
          return;
        }
        v1 = ConfChange.newBuilder()
            .setType(ConfChangeType.ConfChangeAddLearnerNode)
            .setNodeId(id)
            .build();
      } else if (op == 4 && (voters.size() >= 2 || !learners.isEmpty())) {
        List<Long> candidates = voters.size() >= 2 ? new ArrayList<>(voters) : new ArrayList<>();
        candidates.addAll(learners);
        long id = candidates.get(rnd.nextInt(candidates.size()));
        if (voters.contains(id) && !canShrink(leader, voters, id, 0)) {
          return;
        }
        v1 = ConfChange.newBuilder().setType(ConfChangeType.ConfChangeRemoveNode).setNodeId(id)
            .build();
      } else if (op >= 5 && voters.size() >= 2) {
        // joint consensus: replace a voter by a new one, or swap roles of a voter and a learner
        long out = voters.get(rnd.nextInt(voters.size()));
        if (!canShrink(leader, voters, out, 1)) {
          return;
        }
        long in;
        if (!learners.isEmpty() && rnd.nextBoolean()) {
          in = learners.get(rnd.nextInt(learners.size()));
        } else if (members < maxMembers) {
          in = spare();
          if (in == 0) {
            return;
          }
        } else {
          return;
        }
        v2.addChanges(single(ConfChangeType.ConfChangeAddNode, in));
        v2.addChanges(
            single(
                rnd.nextBoolean()
                    ? ConfChangeType.ConfChangeRemoveNode
                    : ConfChangeType.ConfChangeAddLearnerNode,
                out));
        v2.setTransition(
            ConfChangeTransition.forNumber(rnd.nextInt(3))); // auto, implicit or explicit
      } else {
        return;
      }
    }
    if (v1 != null && rnd.nextBoolean()) {
      // the same single change as a V2, possibly through an explicit joint configuration
      v2.addChanges(single(v1.getType(), v1.getNodeId()));
      if (rnd.nextInt(3) == 0) {
        v2.setTransition(ConfChangeTransition.ConfChangeTransitionJointExplicit);
      }
      v1 = null;
    }
    stats.confChangesProposed++;
    markDirty(leader);
    try {
      if (v1 != null) {
        trace.add("propose conf change " + Describe.confChange(
            dev.raftboot.confchange.ConfChanges.toV2(v1)) + " at " + leader);
        leader.rn.proposeConfChange(v1);
      } else {
        ConfChangeV2 cc = v2.build();
        trace.add("propose conf change v2 " + Describe.confChange(cc) + " " + cc.getTransition()
            + " at " + leader);
        leader.rn.proposeConfChange(cc);
      }
    } catch (ProposalDroppedException e) {
      stats.proposalsDropped++;
    }
    drain(leader);
  }

  /**
   * Whether {@code out} may leave the voters (while {@code joining} new voters join): the two
   * rules of a careful application.
   *
   * <ul>
   *   <li>The voters that stay are a quorum of the old voters (with two voters, add one first).
   *       The stayers apply the change only when they learn it committed; until then they still
   *       count the leaver, and a leaver with a longer log refuses them its vote while it can no
   *       longer campaign itself: a permanent stall, the liveness hole of apply-time configuration
   *       changes in etcd raft (etcd-io/etcd#12359).
   *   <li>The stayers that are caught up (match at least the leader's commit index) are a quorum
   *       of the new voters, like etcd's strict reconfiguration check: a stayer far behind may not
   *       even know the newest members, and can race them to ever higher terms.
   * </ul>
   *
   * {@link Options#shrinkTwoVoters} lifts both, to show the stall.
   */
  private boolean canShrink(SimNode leader, List<Long> voters, long out, int joining) {
    if (opt.shrinkTwoVoters) {
      return true;
    }
    int stay = voters.size() - 1;
    if (stay < voters.size() / 2 + 1) {
      return false;
    }
    dev.raftboot.Status st = leader.rn.status();
    long commit = st.commit();
    int healthy = 0;
    for (long v : voters) {
      if (v != out && st.progress() != null && st.progress().get(v) != null
          && st.progress().get(v).match() >= commit) {
        healthy++;
      }
    }
    return healthy >= (stay + joining) / 2 + 1;
  }

  private static ConfChangeSingle single(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  // ---------------------------------------------------------------------------------------------
  // faults

  private void nemesis() {
    int r = rnd.nextInt(100);
    List<SimNode> live = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      if (!n.retired) {
        live.add(n);
      }
    }
    if (r < 20) {
      // symmetric partition into two random groups
      List<Long> a = new ArrayList<>();
      List<Long> b = new ArrayList<>();
      for (SimNode n : live) {
        (rnd.nextBoolean() ? a : b).add(n.id);
      }
      if (a.isEmpty() || b.isEmpty()) {
        return;
      }
      stats.partitionsSymmetric++;
      partition(a, b, true);
    } else if (r < 30) {
      SimNode leader = findLeader();
      if (leader == null) {
        return;
      }
      stats.leaderIsolations++;
      List<Long> rest = new ArrayList<>();
      for (SimNode n : live) {
        if (n != leader) {
          rest.add(n.id);
        }
      }
      partition(List.of(leader.id), rest, true);
    } else if (r < 42) {
      if (live.size() < 2) {
        return;
      }
      long a = live.get(rnd.nextInt(live.size())).id;
      long b = live.get(rnd.nextInt(live.size())).id;
      if (a == b) {
        return;
      }
      stats.partitionsOneWay++;
      partition(List.of(a), List.of(b), false);
    } else if (r < 65) {
      SimNode leader = findLeader();
      SimNode victim = leader != null && rnd.nextInt(3) == 0 ? leader : randomUpNode();
      if (victim == null) {
        return;
      }
      crash(victim, false);
      schedule(new Restart(victim), 10 + rnd.nextInt(800));
    } else if (r < 75) {
      stats.lossBursts++;
      loss = 0.1 + rnd.nextDouble() * 0.4;
      trace.add(String.format("loss burst %.2f", loss));
      schedule(new RestoreRates(), 50 + rnd.nextInt(500));
    } else if (r < 85) {
      stats.dupBursts++;
      dup = 0.1 + rnd.nextDouble() * 0.3;
      trace.add(String.format("duplication burst %.2f", dup));
      schedule(new RestoreRates(), 50 + rnd.nextInt(500));
    } else {
      stats.delayBursts++;
      spike = 0.2 + rnd.nextDouble() * 0.3;
      maxDelay = baseMaxDelay * 3;
      trace.add(String.format("delay burst %.2f", spike));
      schedule(new RestoreRates(), 50 + rnd.nextInt(500));
    }
  }

  private void partition(List<Long> a, List<Long> b, boolean symmetric) {
    for (long x : a) {
      for (long y : b) {
        cut(x, y, 1);
        if (symmetric) {
          cut(y, x, 1);
        }
      }
    }
    trace.add("partition " + a + (symmetric ? " <-/-> " : " -/-> ") + b);
    schedule(new HealPartition(a, b, symmetric), 50 + rnd.nextInt(1000));
  }

  /** Ends every fault: partitions, loss, duplication and delay spikes; crashed nodes restart. */
  private void heal() {
    chaos = false;
    cuts.clear();
    loss = 0;
    dup = 0;
    spike = 0;
    maxDelay = Math.min(baseMaxDelay, 10);
    trace.add("heal: all faults end");
    for (SimNode n : nodes.values()) {
      if (!n.up() && !n.retired) {
        restart(n);
      }
    }
    checker.afterStep(dirty);
    dirty.forEach(n -> n.dirty = n.diskDirty = false);
    dirty.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // events

  private abstract static class Ev {
    long time;
    long seq;

    abstract void run();
  }

  private final class Tick extends Ev {
    final SimNode n;
    final int inc;

    Tick(SimNode n, int inc) {
      this.n = n;
      this.inc = inc;
    }

    @Override
    void run() {
      if (!n.up() || n.incarnation != inc) {
        return;
      }
      markDirty(n);
      n.rn.tick();
      drain(n);
      if (n.up() && n.incarnation == inc) {
        schedule(this, n.tickInterval);
      }
    }

    @Override
    public String toString() {
      return "tick " + n;
    }
  }

  private final class Deliver extends Ev {
    final Message m;
    final long s;
    final boolean primary;

    Deliver(Message m, long s, boolean primary) {
      this.m = m;
      this.s = s;
      this.primary = primary;
    }

    @Override
    void run() {
      deliver(m, s, primary);
    }

    @Override
    public String toString() {
      return "deliver " + (primary ? "" : "(duplicate) ") + Describe.message(m);
    }
  }

  private final class AppendWork extends Ev {
    final SimNode n;
    final int inc;

    AppendWork(SimNode n, int inc) {
      this.n = n;
      this.inc = inc;
    }

    @Override
    void run() {
      if (!n.up() || n.incarnation != inc) {
        return;
      }
      if (n.appendQueue.isEmpty()) {
        n.appendBusy = false;
        return;
      }
      markDirty(n);
      // Like a real append thread, write whatever is queued as one batch (or just the first).
      batch = rnd.nextBoolean() ? n.appendQueue.size() : 1;
      first = n.appendQueue.peek();
      for (int i = 0; i < batch && n.up() && n.incarnation == inc; i++) {
        processAppend(n, n.appendQueue.poll());
      }
      if (n.up() && n.incarnation == inc) {
        if (n.appendQueue.isEmpty()) {
          n.appendBusy = false;
        } else {
          schedule(new AppendWork(n, inc), 1 + rnd.nextInt(localMaxDelay));
        }
        drain(n);
      }
    }

    int batch;
    Message first;

    @Override
    public String toString() {
      return n + " append thread writes " + (first == null ? "nothing" : Describe.message(first))
          + (batch > 1 ? " and " + (batch - 1) + " more" : "");
    }
  }

  private final class ApplyWork extends Ev {
    final SimNode n;
    final int inc;

    ApplyWork(SimNode n, int inc) {
      this.n = n;
      this.inc = inc;
    }

    @Override
    void run() {
      if (!n.up() || n.incarnation != inc) {
        return;
      }
      if (n.applyQueue.isEmpty()) {
        n.applyBusy = false;
        return;
      }
      markDirty(n);
      batch = rnd.nextBoolean() ? n.applyQueue.size() : 1;
      first = n.applyQueue.peek();
      for (int i = 0; i < batch && n.up() && n.incarnation == inc; i++) {
        processApply(n, n.applyQueue.poll());
      }
      if (n.up() && n.incarnation == inc) {
        if (n.applyQueue.isEmpty()) {
          n.applyBusy = false;
        } else {
          schedule(new ApplyWork(n, inc), 1 + rnd.nextInt(localMaxDelay));
        }
        drain(n);
      }
    }

    int batch;
    Message first;

    @Override
    public String toString() {
      if (first == null) {
        return n + " apply thread: nothing";
      }
      List<Entry> es = first.getEntriesList();
      return n + " apply thread applies [" + es.get(0).getIndex() + ".."
          + es.get(es.size() - 1).getIndex() + "]" + (batch > 1 ? " and " + (batch - 1) + " more" : "");
    }
  }

  private final class SnapshotNow extends Ev {
    final SimNode n;
    final int inc;

    SnapshotNow(SimNode n, int inc) {
      this.n = n;
      this.inc = inc;
    }

    @Override
    void run() {
      if (!n.up() || n.incarnation != inc) {
        return;
      }
      n.snapshotPending = false;
      markDirty(n);
      maybeSnapshot(n, true);
    }

    @Override
    public String toString() {
      return n + " builds a snapshot for Raft to send";
    }
  }

  private final class SnapStatus extends Ev {
    final SimNode leader;
    final int inc;
    final long target;
    final SnapshotStatus status;

    SnapStatus(SimNode leader, int inc, long target, SnapshotStatus status) {
      this.leader = leader;
      this.inc = inc;
      this.target = target;
      this.status = status;
    }

    @Override
    void run() {
      if (!leader.up() || leader.incarnation != inc) {
        return;
      }
      markDirty(leader);
      leader.rn.reportSnapshot(target, status);
      drain(leader);
    }

    @Override
    public String toString() {
      return leader + " reportSnapshot(" + target + ", " + status + ")";
    }
  }

  private final class Unreachable extends Ev {
    final SimNode from;
    final int inc;
    final long target;

    Unreachable(SimNode from, int inc, long target) {
      this.from = from;
      this.inc = inc;
      this.target = target;
    }

    @Override
    void run() {
      if (!from.up() || from.incarnation != inc) {
        return;
      }
      markDirty(from);
      from.rn.reportUnreachable(target);
      drain(from);
    }

    @Override
    public String toString() {
      return from + " reportUnreachable(" + target + ")";
    }
  }

  private final class Client extends Ev {
    @Override
    void run() {
      if (!chaos) {
        return;
      }
      clientOp();
      schedule(this, 1 + rnd.nextInt(clientGap));
    }

    @Override
    public String toString() {
      return "client";
    }
  }

  private final class Nemesis extends Ev {
    @Override
    void run() {
      if (!chaos) {
        return;
      }
      nemesis();
      schedule(this, 1 + rnd.nextInt(nemesisGap));
    }

    @Override
    public String toString() {
      return "nemesis";
    }
  }

  private final class Restart extends Ev {
    final SimNode n;

    Restart(SimNode n) {
      this.n = n;
    }

    @Override
    void run() {
      restart(n);
    }

    @Override
    public String toString() {
      return "restart " + n + " due";
    }
  }

  private final class Retire extends Ev {
    final SimNode n;

    Retire(SimNode n) {
      this.n = n;
    }

    @Override
    void run() {
      if (n.retiring) {
        n.retiring = false;
        crash(n, true);
      }
    }

    @Override
    public String toString() {
      return "retire " + n + " due";
    }
  }

  private final class HealPartition extends Ev {
    final List<Long> a;
    final List<Long> b;
    final boolean symmetric;

    HealPartition(List<Long> a, List<Long> b, boolean symmetric) {
      this.a = a;
      this.b = b;
      this.symmetric = symmetric;
    }

    @Override
    void run() {
      if (!chaos) {
        return;
      }
      for (long x : a) {
        for (long y : b) {
          cut(x, y, -1);
          if (symmetric) {
            cut(y, x, -1);
          }
        }
      }
    }

    @Override
    public String toString() {
      return "heal partition " + a + (symmetric ? " <-/-> " : " -/-> ") + b;
    }
  }

  private final class RestoreRates extends Ev {
    @Override
    void run() {
      if (!chaos) {
        return;
      }
      loss = baseLoss;
      dup = baseDup;
      spike = baseSpike;
      maxDelay = baseMaxDelay;
    }

    @Override
    public String toString() {
      return "network rates back to normal";
    }
  }

  private final class LivenessProbe extends Ev {
    final ByteString value;
    long proposedTerm;
    long proposedAt = Long.MIN_VALUE;

    LivenessProbe(ByteString value) {
      this.value = value;
    }

    @Override
    void run() {
      SimNode leader = findLeader();
      if (leader != null) {
        long term = SimBridge.term(leader.rn);
        if (term != proposedTerm || now - proposedAt >= 30 * TICK) {
          proposedTerm = term;
          proposedAt = now;
          propose(leader, value);
        }
      }
      schedule(this, 2 * TICK);
    }

    @Override
    public String toString() {
      return "liveness probe";
    }
  }

  /** A trace item formatted only when printed. */
  private record Lazy(java.util.function.Supplier<String> s) {
    @Override
    public String toString() {
      return s.get();
    }
  }

  /** Raft's log lines into the trace (replays with {@code -Dsim.verbose=true}). */
  private final class TraceLogger implements Logger {
    @Override
    public void debug(String format, Object... args) {
      trace.add("  raft: " + String.format(format, args));
    }

    @Override
    public void info(String format, Object... args) {
      trace.add("  raft: " + String.format(format, args));
    }

    @Override
    public void warn(String format, Object... args) {
      trace.add("  raft WARN: " + String.format(format, args));
    }

    @Override
    public void error(String format, Object... args) {
      trace.add("  raft ERROR: " + String.format(format, args));
    }

    @Override
    public void fatal(String format, Object... args) {
      trace.add("  raft FATAL: " + String.format(format, args));
    }
  }
}
