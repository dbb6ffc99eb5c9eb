package dev.raftboot.spring.faults;

import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.net.URI;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One in-JVM "network" shared by the nodes of a {@link FaultCluster}. Every node's {@link
 * RaftTransport} bean is a {@link Transport} of this network; messages travel through a scheduler
 * so that they can be delayed (each by its own random amount, so they reorder), dropped,
 * duplicated, or blocked by a partition.
 *
 * <p>Faults:
 *
 * <ul>
 *   <li>{@link #setConditions(Conditions)}: drop probability, duplicate probability and maximum
 *       delay, applied to every message;
 *   <li>{@link #partition(Collection, Collection)}: a symmetric partition between two groups;
 *   <li>{@link #blockOneWay(Collection, Collection)}: messages from one group to the other are
 *       lost, the other direction works;
 *   <li>{@link #heal()}: removes every partition and restores calm conditions.
 * </ul>
 *
 * A node that is down has no registered endpoint, so messages to it are lost and reported
 * unreachable, as a refused connection would be. A blocked message is reported unreachable too; a
 * randomly dropped one is lost silently, like a lost packet. A snapshot message always gets its
 * outcome reported, or the sender would wait for it forever.
 *
 * <p>All randomness comes from the seed given to the constructor: each transport draws from its
 * own generator split off the network's, and only the sender's raft loop thread uses it.
 */
final class FaultyNetwork implements AutoCloseable {

  /** What happens to every message while no partition applies. */
  record Conditions(double dropProbability, double duplicateProbability, long maxDelayMillis) {

    static final Conditions CALM = new Conditions(0, 0, 0);

    boolean calm() {
      return dropProbability == 0 && duplicateProbability == 0 && maxDelayMillis == 0;
    }
  }

  /** Traffic figures for the summary. */
  record Traffic(
      long sent, long delivered, long dropped, long blocked, long duplicated, long delayed, long snapshots) {
    @Override
    public String toString() {
      return "sent=" + sent + " delivered=" + delivered + " dropped=" + dropped + " blocked=" + blocked
          + " duplicated=" + duplicated + " delayed=" + delayed + " snapshots=" + snapshots;
    }
  }

  private final SplittableRandom random;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Map<Long, Transport> endpoints = new ConcurrentHashMap<>();
  /** Directed links {@code from -> to} that lose every message, as {@link #link} keys. */
  private final Set<Long> blocked = ConcurrentHashMap.newKeySet();

  private volatile Conditions conditions = Conditions.CALM;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong blockedCount = new AtomicLong();
  private final AtomicLong duplicated = new AtomicLong();
  private final AtomicLong delayed = new AtomicLong();
  private final AtomicLong snapshots = new AtomicLong();

  FaultyNetwork(long seed) {
    this.random = new SplittableRandom(seed);
    // One delivery thread: messages with equal delays keep their order, different delays reorder.
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "faulty-network");
              t.setDaemon(true);
              return t;
            });
    this.scheduler.setRemoveOnCancelPolicy(true);
  }

  /**
   * A new transport for node {@code id}. It registers as the node's endpoint when the node starts
   * it and unregisters when the node stops it; {@code receiver} is looked up at start.
   */
  Transport transportFor(long id, Supplier<RaftMessageReceiver> receiver) {
    SplittableRandom own;
    synchronized (random) {
      own = random.split();
    }
    return new Transport(id, receiver, own);
  }

  // --- faults ----------------------------------------------------------------------------------

  void setConditions(Conditions c) {
    conditions = c;
  }

  Conditions conditions() {
    return conditions;
  }

  /** Cuts every link between the two groups, both ways. */
  void partition(Collection<Long> a, Collection<Long> b) {
    blockOneWay(a, b);
    blockOneWay(b, a);
  }

  /** Loses every message from a node of {@code from} to a node of {@code to}. */
  void blockOneWay(Collection<Long> from, Collection<Long> to) {
    for (long f : from) {
      for (long t : to) {
        if (f != t) {
          blocked.add(link(f, t));
        }
      }
    }
  }

  /** Removes every partition and restores calm conditions. */
  void heal() {
    blocked.clear();
    conditions = Conditions.CALM;
  }

  boolean isBlocked(long from, long to) {
    return blocked.contains(link(from, to));
  }

  Traffic traffic() {
    return new Traffic(
        sent.get(),
        delivered.get(),
        dropped.get(),
        blockedCount.get(),
        duplicated.get(),
        delayed.get(),
        snapshots.get());
  }

  private static long link(long from, long to) {
    return (from << 32) ^ to;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  // --- delivery --------------------------------------------------------------------------------

  private void deliver(Transport sender, Message m) {
    long to = m.getTo();
    Transport target = endpoints.get(to);
    boolean delivered;
    if (isBlocked(sender.id, to)) {
      blockedCount.incrementAndGet();
      delivered = false;
    } else {
      delivered = target != null && target.receiver != null && target.receiver.receive(m);
    }
    if (delivered) {
      this.delivered.incrementAndGet();
    }
    TransportListener listener = sender.listener;
    if (listener == null) {
      return;
    }
    if (m.getType() == MessageType.MsgSnap) {
      listener.reportSnapshot(to, delivered ? SnapshotStatus.FINISH : SnapshotStatus.FAILURE);
    } else if (!delivered) {
      listener.reportUnreachable(to);
    }
  }

  /** The transport of one node incarnation: a new one is created for every (re)start. */
  final class Transport implements RaftTransport {

    final long id;
    private final Supplier<RaftMessageReceiver> receiverLookup;
    private final SplittableRandom random;
    private volatile RaftMessageReceiver receiver;
    private volatile TransportListener listener;
    private volatile boolean running;

    private Transport(long id, Supplier<RaftMessageReceiver> receiver, SplittableRandom random) {
      this.id = id;
      this.receiverLookup = receiver;
      this.random = random;
    }

    @Override
    public void start(long selfId, Map<Long, URI> peers, TransportListener l) {
      if (selfId != id) {
        throw new IllegalStateException("transport of node " + id + " started by node " + selfId);
      }
      listener = l;
      receiver = receiverLookup.get();
      running = true;
      endpoints.put(id, this);
    }

    /** Called on the sender's raft loop thread only, so the generator needs no lock. */
    @Override
    public void send(Message m) {
      if (!running) {
        return;
      }
      sent.incrementAndGet();
      if (m.getType() == MessageType.MsgSnap) {
        snapshots.incrementAndGet();
      }
      Conditions c = conditions;
      if (c.calm()) {
        schedule(m, 0);
        return;
      }
      if (c.dropProbability() > 0 && random.nextDouble() < c.dropProbability()) {
        dropped.incrementAndGet();
        if (m.getType() == MessageType.MsgSnap && listener != null) {
          listener.reportSnapshot(m.getTo(), SnapshotStatus.FAILURE);
        }
        return;
      }
      int copies = 1;
      if (c.duplicateProbability() > 0 && random.nextDouble() < c.duplicateProbability()) {
        copies = 2;
        duplicated.incrementAndGet();
      }
      for (int i = 0; i < copies; i++) {
        long delay = c.maxDelayMillis() > 0 ? random.nextLong(c.maxDelayMillis() + 1) : 0;
        if (delay > 0) {
          delayed.incrementAndGet();
        }
        schedule(m, delay);
      }
    }

    private void schedule(Message m, long delayMillis) {
      try {
        scheduler.schedule(() -> deliver(this, m), delayMillis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // The network is closed: the message is lost.
      }
    }

    @Override
    public void updatePeers(Map<Long, URI> peers) {}

    /** Unregisters; messages already in flight from this node still arrive, like real packets. */
    @Override
    public void stop() {
      running = false;
      endpoints.remove(id, this);
    }

    @Override
    public String toString() {
      return "FaultyNetwork.Transport[node " + id + (running ? ", running" : ", stopped") + "]";
    }
  }

  /** Which directed links are cut, for logs. */
  String describeBlocked() {
    Map<Long, StringBuilder> byFrom = new TreeMap<>();
    for (long key : blocked) {
      byFrom.computeIfAbsent(key >>> 32, k -> new StringBuilder()).append(key & 0xffffffffL).append(' ');
    }
    StringBuilder sb = new StringBuilder();
    byFrom.forEach((from, tos) -> sb.append(from).append("->").append(tos.toString().trim()).append("; "));
    return sb.toString();
  }
}
