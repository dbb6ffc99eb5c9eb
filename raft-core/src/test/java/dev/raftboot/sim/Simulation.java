package dev.raftboot.sim;

import com.google.protobuf.ByteString;
import dev.raftboot.Config;
import dev.raftboot.Describe;
import dev.raftboot.Logger;
import dev.raftboot.RecordingLogger;
import dev.raftboot.SilentLogger;
import dev.raftboot.MemoryStorage;
import dev.raftboot.Peer;
import dev.raftboot.ProposalDroppedException;
import dev.raftboot.RaftException;
import dev.raftboot.RaftUtil;
import dev.raftboot.RawNode;
import dev.raftboot.ReadOnlyOption;
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
import java.io.IOException;
import java.nio.file.Path;
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
 * <p><b>Disk.</b> Each node's {@link Disk} tells written from synced data. The runtime syncs as a
 * real one must: a synchronous node after writing a Ready whose {@code mustSync()} holds, before it
 * sends or applies anything of it; an asynchronous node's append thread once per batch of {@code
 * MsgStorageAppend}s when any of their Readys had {@code mustSync()}, before it delivers their
 * responses; snapshots always.
 *
 * <p><b>Faults.</b> Message loss, delay spikes, reordering (random delays), duplication, symmetric
 * and one-way partitions, leader isolation, crashes, power losses (of one node or all: unsynced
 * writes lost, all, a prefix, or torn inside a batch), failing syncs (the node stops without
 * acknowledging), full disks (writes fail, the node stops), slow disks (syncs take many steps) and
 * VM suspends (the node stops for a while; its clock jumps when it resumes). A crash drops
 * everything but the disk (unfinished asynchronous writes are lost), and a restart syncs what is
 * left in the page cache and builds a new {@code RawNode} from a reloaded copy of the disk with
 * {@code Config.applied} set to the state machine's checkpoint, the state machine being rebuilt
 * from the last snapshot plus the entries up to that index. One seed in five runs the clock
 * profile: only the faults that matter to leases.
 *
 * <p><b>Operations.</b> Proposals of unique values, conf changes at the leader (add voter, add
 * learner, promote, demote, remove, and joint {@code ConfChangeV2}s with automatic or explicit
 * leave), leader transfers, spontaneous campaigns, and reads: read-index rounds and, with
 * CheckQuorum, lease reads under the application's lease rules ({@link #read}). The simulated
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
    /** Write the history file even when the run passes (a failing run always writes it). */
    public boolean saveHistory;

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
      long fingerprint, Path historyFile) {

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
  /**
   * One seed in five (and every lease variant) runs the faults that matter to leases only: leader
   * isolations, partitions, suspends and delays, with CheckQuorum, so that a leader lives long
   * enough to hold leases that clients use.
   */
  private final boolean clockProfile;
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
  private final History history = new History();
  private final SimStats stats = new SimStats();
  private final Trace trace;
  private final Logger raftLogger;
  private final PriorityQueue<Ev> queue =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;
  private Path historyFile;
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
    boolean leaseVariant =
        opt.broken == Broken.RAFT_LEASE
            || opt.broken == Broken.LEASE_CLOCK_DRIFT
            || opt.broken == Broken.LEASE_IGNORES_PAUSE;
    this.clockProfile = leaseVariant || rnd.nextInt(5) == 0;
    this.checkQuorum = rnd.nextBoolean() || clockProfile;
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
    this.checker = new Checker(opt.checks, nodes, history);
    this.raftLogger =
        opt.verbose ? new RecordingLogger(this::traceRaftLine) : SilentLogger.INSTANCE;
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
            + " spike=%.2f delay<=%d fifo=%b nemesisGap=%d clientGap=%d clockProfile=%b broken=%s",
        clusterSize, storageMode == 0 ? "sync" : storageMode == 1 ? "async" : "mixed", preVote,
        checkQuorum, heartbeatTick, maxSizePerMsg, maxCommittedSizePerReady, maxUncommittedSize,
        maxInflight, stepDownOnRemoval, snapshotEvery, snapshotKeep, localMaxDelay, baseLoss,
        baseDup, baseSpike, baseMaxDelay, fifoLinks, nemesisGap, clientGap, clockProfile,
        opt.broken);
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
      historyFile = saveHistory(failed, message);
      if (historyFile != null) {
        sb.append("  history and fault schedule: ").append(historyFile.toAbsolutePath())
            .append("\n  re-check it: mvn -B -o -pl raft-core test -Dtest=SimulationTest#recheck")
            .append(" -Dsim.history=").append(historyFile.toAbsolutePath()).append('\n');
      }
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
    } else if (opt.saveHistory) {
      historyFile = saveHistory(null, null);
    }
    long fp = 17;
    for (long v :
        new long[] {
          step, now, stats.msgsSent, stats.msgsLost, stats.entriesApplied, checker.maxCommitted,
          stats.leadersElected, stats.snapshotsInstalled, stats.confChangesApplied, trace.count()
        }) {
      fp = fp * 1_000_003 + v;
    }
    return new Result(opt.seed, failed, message, step, report, stats, fp, historyFile);
  }

  /**
   * Writes the run's history and fault schedule to {@code target/sim-histories/} (see {@link
   * History} for the format); null when it could not be written (the report says so).
   */
  private Path saveHistory(Check failed, String message) {
    Path file =
        Path.of("target", "sim-histories",
            "seed-" + opt.seed + (opt.broken == Broken.NONE ? "" : "-" + opt.broken) + ".history");
    try {
      history.write(file,
          "seed=" + opt.seed + " steps=" + opt.steps + " broken=" + opt.broken + " checks="
              + opt.checks + "\nscenario " + scenario(),
          failed == null ? null : step + " " + now + " violation check=" + failed + " " + message);
      return file;
    } catch (IOException e) {
      trace.add("could not write the history to " + file + ": " + e);
      return null;
    }
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
    history.step = step;
    history.now = now;
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

  /** When {@code n} is paused, runs {@code e} again once the pause ends, and says so. */
  private boolean deferred(SimNode n, Ev e) {
    if (!n.paused(now)) {
      return false;
    }
    schedule(e, Math.max(0, n.pausedUntil - now));
    return true;
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
          Message m = n.appendQueue.poll().m();
          writeAppend(n, m);
          n.disk.sync();
          appended(n, m);
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
    n.clockStart = now;
    n.clockLost = 0;
    schedule(new Tick(n), 1 + rnd.nextInt((int) TICK));
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
    n.lazySyncPending = false;
    n.pausedUntil = 0;
    n.stalledReady = null;
    n.suspended = false;
    n.missedTicks = 0;
    n.leaseTerm = 0;
    n.leaseUntil = 0;
    n.rounds.clear();
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
    // What the crashed process wrote may still be only in the page cache; the new one will treat
    // its log as stable (and acknowledge it again without writing it), so it syncs first, as a
    // database syncs its files at crash recovery.
    d.sync();
    MemoryStorage mem = d.reload();
    // The checkpoint may predate the snapshot when a power loss kept the snapshot's write but not
    // the checkpoint's after it; a snapshot holds only committed entries, so it counts as applied.
    long applied = Math.max(d.ckptApplied, d.snapIndex());
    ConfState conf =
        d.ckptApplied >= d.snapIndex() ? d.ckptConf : mem.snapshot().getMetadata().getConfState();
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
    sm.confState = conf;
    n.sm = sm;
    Config c = baseConfig(n).storage(new NodeStorage(mem, conf, applied, s -> stale(n, s)));
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
    while (n.rn != null && n.stalledReady == null && n.rn.hasReady()) {
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
      if (!persist(n, rd.snapshot(), rd.entries(), rd.hardState())) {
        return;
      }
      if (needsSync(n, rd.mustSync(), rd.hasSnapshot())) {
        if (n.disk.syncDelay > 0) {
          // The raft loop blocks in fsync: the node does nothing else until it returns.
          n.stalledReady = rd;
          n.suspended = false;
          n.pausedUntil = now + n.disk.syncDelay;
          stats.slowSyncs++;
          schedule(new SyncDone(n), n.disk.syncDelay);
          return;
        }
        if (!syncOrStop(n)) {
          return;
        }
      }
      finishReady(n, rd);
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
        n.appendQueue.add(new SimNode.AppendJob(m, rd.mustSync()));
        if (!n.appendBusy) {
          n.appendBusy = true;
          schedule(new AppendWork(n), 1 + rnd.nextInt(localMaxDelay));
        }
      } else if (m.getTo() == RaftUtil.LOCAL_APPLY_THREAD) {
        n.applyQueue.add(m);
        if (!n.applyBusy) {
          n.applyBusy = true;
          schedule(new ApplyWork(n), 1 + rnd.nextInt(localMaxDelay));
        }
      } else {
        send(n, m);
      }
    }
    readStates(n, rd.readStates());
  }

  /** The rest of a synchronous Ready once its write is durable: send, apply, advance. */
  private void finishReady(SimNode n, Ready rd) {
    RawNode rn = n.rn;
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
  }

  /**
   * Whether a write must be synced before what depends on it goes out: when the Ready says so
   * ({@code mustSync}: entries, or a term or vote change), and for a snapshot, which a real runtime
   * writes as a file and syncs. The broken runtimes: one never syncs, the other syncs later in the
   * background and lets everything go out at once.
   */
  private boolean needsSync(SimNode n, boolean mustSync, boolean snapshot) {
    boolean sync = (mustSync && opt.broken != Broken.NEVER_SYNC) || snapshot;
    if (sync && opt.broken == Broken.ACK_BEFORE_SYNC) {
      if (!n.lazySyncPending) {
        n.lazySyncPending = true;
        schedule(new LazySync(n), 1 + rnd.nextInt(4 * localMaxDelay));
      }
      return false;
    }
    return sync;
  }

  /**
   * Syncs the node's disk; when the sync fails the node stops at once, acknowledging nothing, and
   * the kernel may have dropped any of the pages it failed to write (as Linux does after an fsync
   * error): the unsynced writes are cut as by a power loss. It restarts later.
   */
  private boolean syncOrStop(SimNode n) {
    if (n.disk.sync()) {
      return true;
    }
    stats.fsyncFailures++;
    crash(n, false);
    String cut = n.disk.losePower(rnd);
    history.fault("fsync-failed", n.id, cut);
    trace.add(n + " stops: fsync failed; " + cut);
    schedule(new Restart(n), 10 + rnd.nextInt(800));
    return false;
  }

  /** Writes a Ready's or a {@code MsgStorageAppend}'s state; false when the disk was full. */
  private boolean persist(SimNode n, Snapshot snap, List<Entry> ents, HardState hs) {
    Disk d = n.disk;
    try {
      if (!RaftUtil.isEmptySnap(snap)) {
        checker.beforeDiskSnapshot(n, snap);
        d.writeSnapshot(snap);
      }
      if (!ents.isEmpty()) {
        checker.beforeDiskAppend(n, ents);
        d.writeEntries(ents);
      }
      if (!RaftUtil.isEmptyHardState(hs)) {
        d.writeHardState(hs);
      }
    } catch (Disk.DiskFullException e) {
      // A write error is fatal to the node: it stops rather than go on without its write.
      stats.diskFullStops++;
      crash(n, false);
      trace.add(n + " stops: " + e.getMessage());
      schedule(new Restart(n), 50 + rnd.nextInt(500));
      return false;
    } finally {
      n.diskDirty = true;
      markDirty(n);
    }
    return true;
  }

  /** The append thread writes one {@code MsgStorageAppend}; false when the node stopped. */
  private boolean writeAppend(SimNode n, Message m) {
    HardState hs =
        m.getTerm() != 0 || m.getVote() != 0 || m.getCommit() != 0
            ? HardState.newBuilder()
                .setTerm(m.getTerm())
                .setVote(m.getVote())
                .setCommit(m.getCommit())
                .build()
            : HardState.getDefaultInstance();
    Snapshot snap = m.hasSnapshot() ? m.getSnapshot() : Snapshot.getDefaultInstance();
    return persist(n, snap, m.getEntriesList(), hs);
  }

  /** Once a {@code MsgStorageAppend} is durable: install its snapshot, deliver its responses. */
  private void appended(SimNode n, Message m) {
    if (m.hasSnapshot()) {
      installSnapshot(n, m.getSnapshot());
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
    n.disk.writeCheckpoint(idx, snap.getMetadata().getConfState());
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
    n.disk.writeCheckpoint(sm.applied, sm.confState);
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
      schedule(new SnapshotNow(n), 1 + rnd.nextInt(20));
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
    if (!d.createSnapshot(a, n.sm.confState, n.sm.encode(), a - snapshotKeep)) {
      return;
    }
    stats.snapshotsCreated++;
    n.diskDirty = true;
  }

  /**
   * The clock leases are measured with: the node's own, or in {@link Broken#LEASE_CLOCK_DRIFT} one
   * running at a fifth of its speed. (Slowing a node's whole clock would hardly show it: a slow
   * node's election timer fires last, so it seldom leads.)
   */
  private long leaseClock(SimNode n) {
    long c = n.clock(now);
    return opt.broken == Broken.LEASE_CLOCK_DRIFT ? c / 5 : c;
  }

  /** The lease a quorum-acknowledged round gives, in local time units (as {@code RaftServer}). */
  private long leaseDuration() {
    return (electionTick - 2) * TICK * 9 / 10;
  }

  /**
   * Issues a read on {@code n} as the application's runtime does (the same rules as {@code
   * RaftServer}): a lease read is answered from the leader's lease while it holds (the leader of
   * the lease's term, no transfer under way, its clock short of the lease's end); any other read
   * starts a read-index round, and a round a leader started renews its lease once a quorum has
   * acknowledged it (see {@link #renewLease}).
   */
  private void read(SimNode n, ByteString ctx, boolean lease) {
    RawNode rn = n.rn;
    long term = SimBridge.term(rn);
    boolean leading =
        SimBridge.state(rn) == StateType.LEADER && SimBridge.leadTransferee(rn) == RaftUtil.NONE;
    if (lease && opt.broken == Broken.RAFT_LEASE) {
      // Broken: Raft's own lease, which lasts until CheckQuorum steps a cut-off leader down.
      stats.leaseReads++;
      rn.readIndex(ctx, ReadOnlyOption.LEASE_BASED);
      history.read(n.id, ctx, true);
      return;
    }
    if (lease && leading && n.leaseTerm == term && leaseClock(n) < n.leaseUntil) {
      stats.leaseReads++;
      rn.readIndex(ctx, ReadOnlyOption.LEASE_BASED);
      history.read(n.id, ctx, true);
      return;
    }
    n.rounds.put(ctx, new SimNode.Round(leaseClock(n), leading ? term : 0));
    rn.readIndex(ctx);
    history.read(n.id, ctx, false);
  }

  /**
   * A round the node started as leader was acknowledged by a quorum: every member that
   * acknowledged it heard from the leader after the round started, and ignores votes for an
   * election timeout of its own ticks since, so nobody else can win an election until (about)
   * then. The lease ends two ticks short of that, less 10% for clocks running at different rates.
   */
  private void renewLease(SimNode n, SimNode.Round round) {
    RawNode rn = n.rn;
    if (round.leaderTerm() == 0
        || SimBridge.state(rn) != StateType.LEADER
        || SimBridge.term(rn) != round.leaderTerm()
        || SimBridge.leadTransferee(rn) != RaftUtil.NONE) {
      return;
    }
    long until = round.startedAt() + leaseDuration();
    if (n.leaseTerm != round.leaderTerm() || until > n.leaseUntil) {
      n.leaseTerm = round.leaderTerm();
      n.leaseUntil = until;
    }
  }

  private void readStates(SimNode n, List<ReadState> rss) {
    for (ReadState rs : rss) {
      SimNode.Round round = n.rounds.remove(rs.requestCtx());
      if (round != null && n.up()) {
        renewLease(n, round);
      }
      Long atRequest = pendingReads.get(rs.requestCtx());
      if (atRequest != null) {
        stats.readsServed++;
        history.readIndex(n.id, rs.requestCtx(), rs.index());
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

  /** A random running, unpaused node in the leader state, of any term (or null). */
  private SimNode anyLeader() {
    List<SimNode> ls = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      if (n.up() && !n.paused(now) && SimBridge.state(n.rn) == StateType.LEADER) {
        ls.add(n);
      }
    }
    return ls.isEmpty() ? null : ls.get(rnd.nextInt(ls.size()));
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
    if (clockProfile && rnd.nextInt(3) == 0) {
      r = 80; // a third more reads: leases are renewed by reads, and used by them
    }
    SimNode leader = findLeader();
    SimNode n = leader != null && rnd.nextBoolean() ? leader : randomUpNode();
    if (n == null || n.paused(now)) {
      return; // a paused node answers no client
    }
    if (leader != null && leader.paused(now)) {
      leader = null;
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
      // Half the reads go to a node that believes it leads: a client still talking to a deposed
      // leader is where stale reads come from.
      SimNode believer = rnd.nextBoolean() ? anyLeader() : null;
      if (believer != null) {
        n = believer;
      }
      ByteString ctx = ByteString.copyFromUtf8("r" + (++readCounter));
      stats.readsRequested++;
      pendingReads.put(ctx, checker.maxCommitted);
      markDirty(n);
      if (opt.broken == Broken.STALE_READ) {
        // Broken: serve the read from the local commit index, without asking Raft.
        stats.readsServed++;
        history.read(n.id, ctx, false);
        history.readIndex(n.id, ctx, SimBridge.committed(n.rn));
        checker.onReadState(n, ctx, SimBridge.committed(n.rn), checker.maxCommitted);
      } else {
        read(n, ctx, checkQuorum && rnd.nextBoolean());
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
    if (clockProfile) {
      // leader isolation, symmetric partition, one-way partition, suspend, delay burst, crash
      r = r < 30 ? 20 : r < 45 ? 0 : r < 55 ? 30 : r < 80 ? 70 : r < 92 ? 95 : 40;
    }
    List<SimNode> live = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      if (!n.retired) {
        live.add(n);
      }
    }
    if (r < 18) {
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
    } else if (r < 27) {
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
    } else if (r < 37) {
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
    } else if (r < 50) {
      SimNode victim = victim();
      if (victim == null) {
        return;
      }
      crash(victim, false);
      history.fault("crash", victim.id, "");
      schedule(new Restart(victim), 10 + rnd.nextInt(800));
    } else if (r < 58) {
      powerLoss(live);
    } else if (r < 68) {
      diskFault();
    } else if (r < 72) {
      suspend();
    } else if (r < 81) {
      stats.lossBursts++;
      loss = 0.1 + rnd.nextDouble() * 0.4;
      trace.add(String.format("loss burst %.2f", loss));
      schedule(new RestoreRates(), 50 + rnd.nextInt(500));
    } else if (r < 90) {
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

  /** The leader one time in three, else a random running node (or null). */
  private SimNode victim() {
    SimNode leader = findLeader();
    return leader != null && rnd.nextInt(3) == 0 ? leader : randomUpNode();
  }

  /**
   * A power loss: one node, or one time in four every node at once (a rack or datacenter outage,
   * where only what is synced anywhere survives). Each loses what it had not synced (see {@link
   * Disk#losePower}); nodes that were running restart later.
   */
  private void powerLoss(List<SimNode> live) {
    List<SimNode> victims = new ArrayList<>();
    if (rnd.nextInt(4) == 0) {
      victims.addAll(live);
      stats.powerLossesAll++;
    } else {
      SimNode v = victim();
      if (v == null) {
        return;
      }
      victims.add(v);
    }
    for (SimNode v : victims) {
      boolean wasUp = v.up();
      if (wasUp) {
        crash(v, false);
      }
      String cut = v.disk.losePower(rnd);
      stats.powerLosses++;
      trace.add("power loss at " + v + ": " + cut);
      history.fault("power-loss", v.id, cut);
      if (wasUp) {
        schedule(new Restart(v), 10 + rnd.nextInt(800));
      }
    }
  }

  /** A disk fault on a running node: its next sync fails, or it fills up, or it slows down. */
  private void diskFault() {
    SimNode v = victim();
    if (v == null) {
      return;
    }
    int kind = rnd.nextInt(10);
    if (kind < 3) {
      v.disk.failNextSync = true;
      trace.add(v + "'s next sync will fail");
      history.fault("fsync-fails-next", v.id, "");
      return;
    }
    long until = 100 + rnd.nextInt(1500);
    if (kind < 6) {
      stats.disksFull++;
      v.disk.full = true;
      trace.add(v + "'s disk is full");
      history.fault("disk-full", v.id, "for " + until);
    } else {
      stats.disksSlow++;
      v.disk.syncDelay = 20 + rnd.nextInt(300);
      trace.add(v + "'s disk slows down: " + v.disk.syncDelay + " per sync");
      history.fault("disk-slow", v.id, v.disk.syncDelay + " per sync for " + until);
    }
    schedule(new RestoreDisk(v), until);
  }

  /**
   * A VM suspend: the node (the leader one time in two, three in four in the clock profile) stops
   * for 5 to 135 ticks of simulated time (20 to 150 in the clock profile: long enough for the
   * others to elect a new leader); its peers' requests to it time out. Its clock jumps ahead when it resumes (so the ticks
   * it missed come at once), except in the broken variant whose clock stops.
   */
  private void suspend() {
    SimNode leader = findLeader();
    SimNode v = leader != null && rnd.nextInt(4) < (clockProfile ? 3 : 2) ? leader : randomUpNode();
    if (v == null || v.paused(now)) {
      return;
    }
    long d = (clockProfile ? 200 : 50) + rnd.nextInt(1300);
    stats.suspends++;
    v.suspended = true;
    v.pausedUntil = now + d;
    if (opt.broken == Broken.LEASE_IGNORES_PAUSE) {
      v.clockLost += d * TICK / v.tickInterval;
    }
    trace.add("suspend " + v + " for " + d);
    history.fault("suspend", v.id, "for " + d);
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
    history.fault(symmetric ? "partition" : "partition-one-way", 0, a + " " + b);
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
    history.fault("heal", 0, "");
    for (SimNode n : nodes.values()) {
      n.disk.full = false;
      n.disk.failNextSync = false;
      n.disk.syncDelay = 0;
      if (n.suspended) {
        n.pausedUntil = Math.min(n.pausedUntil, now);
        n.suspended = false;
      }
    }
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

  /** An event of one incarnation of a node: void once the node crashed or restarted since. */
  private abstract static class NodeEv extends Ev {
    final SimNode n;
    final int inc;

    NodeEv(SimNode n) {
      this.n = n;
      this.inc = n.incarnation;
    }

    /** Whether the incarnation this event belongs to is still running. */
    boolean current() {
      return n.up() && n.incarnation == inc;
    }
  }

  private final class Tick extends NodeEv {
    Tick(SimNode n) {
      super(n);
    }

    @Override
    void run() {
      if (!current()) {
        return;
      }
      if (n.paused(now)) {
        // The clock goes on (unless a broken suspend stops it): the ticks come when it resumes.
        if (!(n.suspended && opt.broken == Broken.LEASE_IGNORES_PAUSE)) {
          n.missedTicks++;
        }
        schedule(this, n.tickInterval);
        return;
      }
      int ticks = 1 + n.missedTicks;
      n.missedTicks = 0;
      for (int i = 0; i < ticks; i++) {
        if (!current()) {
          return;
        }
        if (n.paused(now)) {
          n.missedTicks += ticks - i;
          break;
        }
        markDirty(n);
        n.rn.tick();
        drain(n);
      }
      if (current()) {
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
      SimNode to = nodes.get(m.getTo());
      if (to != null && to.up() && to.paused(now) && !isCut(m.getFrom(), m.getTo())) {
        if (to.stalledReady == null && to.suspended) {
          // The peer's request times out while the node's VM is suspended.
          stats.msgsToSuspendedNode++;
          if (primary) {
            undelivered(m);
          }
          return;
        }
        deferred(to, this); // queued until the raft loop is back from its sync
        return;
      }
      deliver(m, s, primary);
    }

    @Override
    public String toString() {
      return "deliver " + (primary ? "" : "(duplicate) ") + Describe.message(m);
    }
  }

  private final class AppendWork extends NodeEv {
    AppendWork(SimNode n) {
      super(n);
    }

    @Override
    void run() {
      if (!current() || deferred(n, this)) {
        return;
      }
      if (n.appendQueue.isEmpty()) {
        n.appendBusy = false;
        return;
      }
      markDirty(n);
      // Like a real append thread, write whatever is queued as one batch (or just the first),
      // sync once, then deliver the responses of the batch.
      batch = rnd.nextBoolean() ? n.appendQueue.size() : 1;
      first = n.appendQueue.peek().m();
      List<SimNode.AppendJob> jobs = new ArrayList<>(batch);
      boolean mustSync = false;
      boolean snapshot = false;
      for (int i = 0; i < batch; i++) {
        SimNode.AppendJob job = n.appendQueue.poll();
        if (!writeAppend(n, job.m())) {
          return;
        }
        jobs.add(job);
        mustSync |= job.mustSync();
        snapshot |= job.m().hasSnapshot();
      }
      if (needsSync(n, mustSync, snapshot)) {
        if (n.disk.syncDelay > 0) {
          stats.slowSyncs++;
          schedule(new AppendSynced(n, jobs), n.disk.syncDelay);
          return;
        }
        if (!syncOrStop(n)) {
          return;
        }
      }
      finishAppends(this, jobs);
    }

    int batch;
    Message first;

    @Override
    public String toString() {
      return n + " append thread writes " + (first == null ? "nothing" : Describe.message(first))
          + (batch > 1 ? " and " + (batch - 1) + " more" : "");
    }
  }

  /** The append thread's batch is durable: responses out, then the next batch. */
  private void finishAppends(NodeEv ev, List<SimNode.AppendJob> jobs) {
    SimNode n = ev.n;
    for (SimNode.AppendJob job : jobs) {
      if (!ev.current()) {
        return;
      }
      appended(n, job.m());
    }
    if (ev.current()) {
      if (n.appendQueue.isEmpty()) {
        n.appendBusy = false;
      } else {
        schedule(new AppendWork(n), 1 + rnd.nextInt(localMaxDelay));
      }
      drain(n);
    }
  }

  /** A slow disk's sync of an append thread's batch returns. */
  private final class AppendSynced extends NodeEv {
    final List<SimNode.AppendJob> jobs;

    AppendSynced(SimNode n, List<SimNode.AppendJob> jobs) {
      super(n);
      this.jobs = jobs;
    }

    @Override
    void run() {
      if (!current() || deferred(n, this)) {
        return;
      }
      markDirty(n);
      if (syncOrStop(n)) {
        finishAppends(this, jobs);
      }
    }

    @Override
    public String toString() {
      return n + " append thread's slow sync of " + jobs.size() + " write(s) returns";
    }
  }

  /** A slow disk's sync of a synchronous Ready returns; the raft loop goes on. */
  private final class SyncDone extends NodeEv {
    SyncDone(SimNode n) {
      super(n);
    }

    @Override
    void run() {
      if (!current()) {
        return;
      }
      Ready rd = n.stalledReady;
      n.stalledReady = null;
      markDirty(n);
      if (syncOrStop(n)) {
        finishReady(n, rd);
        drain(n);
      }
    }

    @Override
    public String toString() {
      return n + " slow sync returns";
    }
  }

  /** The background sync of a runtime that acknowledged first ({@link Broken#ACK_BEFORE_SYNC}). */
  private final class LazySync extends NodeEv {
    LazySync(SimNode n) {
      super(n);
    }

    @Override
    void run() {
      if (!current()) {
        return;
      }
      n.lazySyncPending = false;
      markDirty(n);
      syncOrStop(n);
    }

    @Override
    public String toString() {
      return n + " background sync";
    }
  }

  private final class ApplyWork extends NodeEv {
    ApplyWork(SimNode n) {
      super(n);
    }

    @Override
    void run() {
      if (!current() || deferred(n, this)) {
        return;
      }
      if (n.applyQueue.isEmpty()) {
        n.applyBusy = false;
        return;
      }
      markDirty(n);
      batch = rnd.nextBoolean() ? n.applyQueue.size() : 1;
      first = n.applyQueue.peek();
      for (int i = 0; i < batch && current(); i++) {
        processApply(n, n.applyQueue.poll());
      }
      if (current()) {
        if (n.applyQueue.isEmpty()) {
          n.applyBusy = false;
        } else {
          schedule(new ApplyWork(n), 1 + rnd.nextInt(localMaxDelay));
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

  private final class SnapshotNow extends NodeEv {
    SnapshotNow(SimNode n) {
      super(n);
    }

    @Override
    void run() {
      if (!current() || deferred(n, this)) {
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
      if (!leader.up() || leader.incarnation != inc || deferred(leader, this)) {
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
      if (!from.up() || from.incarnation != inc || deferred(from, this)) {
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

  private final class RestoreDisk extends Ev {
    final SimNode n;

    RestoreDisk(SimNode n) {
      this.n = n;
    }

    @Override
    void run() {
      n.disk.full = false;
      n.disk.syncDelay = 0;
    }

    @Override
    public String toString() {
      return n + "'s disk has room and speed again";
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
      if (leader != null && !leader.paused(now)) {
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

  /** Raft's log lines into the trace (replays with {@code -Dsim.verbose=true}). */
  private void traceRaftLine(RecordingLogger.Level level, String text) {
    boolean plain = level == RecordingLogger.Level.DEBUG || level == RecordingLogger.Level.INFO;
    trace.add("  raft" + (plain ? "" : " " + level) + ": " + text);
  }

  /** A trace item formatted only when printed. */
  private record Lazy(java.util.function.Supplier<String> s) {
    @Override
    public String toString() {
      return s.get();
    }
  }
}
