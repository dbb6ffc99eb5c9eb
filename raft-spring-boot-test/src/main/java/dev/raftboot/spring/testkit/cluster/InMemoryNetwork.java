package dev.raftboot.spring.testkit.cluster;

import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.transport.PeerMessageRules;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network inside the JVM: every node gets a {@link RaftTransport} ({@link #transportFor}) that
 * hands its messages to the recipient's {@link RaftMessageReceiver}, through a {@link Firewall}.
 *
 * <p>A message is checked as the HTTP endpoint checks it before it reaches the recipient: the
 * cluster id must match, the sender must be a member of the recipient's configuration and not the
 * recipient itself, and the message must pass {@link PeerMessageRules}. A message that fails the
 * rules is a bug in raft or in the kit, not a network fault: it is logged, kept in {@link
 * #refusals()}, and dropped.
 *
 * <p>Messages to one recipient are delivered on that recipient's own thread, in the order they
 * were sent unless a delay reorders them. {@link RaftTransport#send} never blocks.
 */
public final class InMemoryNetwork implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InMemoryNetwork.class);

  private final Firewall firewall = new Firewall();
  private final Map<Long, RaftMessageReceiver> receivers = new ConcurrentHashMap<>();
  private final Map<Long, ScheduledExecutorService> inboxes = new ConcurrentHashMap<>();
  private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean closed;

  public Firewall firewall() {
    return firewall;
  }

  /** Messages refused by the peer checks, one line each; empty when raft behaved. */
  public List<String> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  /** Makes {@code receiver} reachable as node {@code receiver.nodeId()}. */
  public void attach(RaftMessageReceiver receiver) {
    receivers.put(receiver.nodeId(), receiver);
  }

  /** Makes node {@code id} unreachable (crashed or stopped). */
  public void detach(long id) {
    receivers.remove(id);
  }

  /** The transport of node {@code self}. */
  public RaftTransport transportFor(long self) {
    return new Transport(self);
  }

  /** Stops every delivery thread; messages sent afterwards are dropped. */
  @Override
  public void close() {
    closed = true;
    inboxes.values().forEach(ScheduledExecutorService::shutdownNow);
    inboxes.clear();
    receivers.clear();
  }

  private void send(long from, Message m, TransportListener listener) {
    long to = m.getTo();
    if (firewall.drops(from, to, m.getType())) {
      failed(m, listener);
      return;
    }
    if (firewall.loses(from, to, m.getType())) {
      // A lost packet: the sender is not told, except of a snapshot it would wait for forever.
      if (m.getType() == MessageType.MsgSnap) {
        listener.reportSnapshot(to, SnapshotStatus.FAILURE);
      }
      return;
    }
    int copies = firewall.duplicates(from, to, m.getType()) ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      schedule(to, firewall.delayOf(from, to, m.getType()), () -> deliver(from, m, listener));
    }
  }

  private void schedule(long to, Duration delay, Runnable delivery) {
    if (closed) {
      return;
    }
    ScheduledExecutorService inbox = inboxes.computeIfAbsent(to, InMemoryNetwork::inbox);
    try {
      if (delay.isZero()) {
        inbox.execute(delivery);
      } else {
        inbox.schedule(delivery, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException e) {
      // Closed meanwhile: the message is lost.
    }
  }

  private void deliver(long from, Message m, TransportListener listener) {
    long to = m.getTo();
    RaftMessageReceiver recipient = receivers.get(to);
    // Checked again: a partition that began while the message was held back drops it.
    if (recipient == null || firewall.drops(from, to, m.getType())) {
      failed(m, listener);
      return;
    }
    String refusal = refusal(from, m, recipient);
    if (refusal != null) {
      failed(m, listener);
      return;
    }
    boolean delivered = recipient.receive(m);
    if (!delivered) {
      failed(m, listener);
    } else if (m.getType() == MessageType.MsgSnap) {
      listener.reportSnapshot(to, SnapshotStatus.FINISH);
    }
  }

  /** What the HTTP endpoint would refuse, or null. Membership refusals are ordinary drops. */
  private @Nullable String refusal(long from, Message m, RaftMessageReceiver recipient) {
    RaftMessageReceiver sender = receivers.get(from);
    if (sender != null && !sender.clusterId().equals(recipient.clusterId())) {
      return "cluster";
    }
    if (from == recipient.nodeId() || !recipient.isMember(from)) {
      // As the endpoint's 403: a removed or not yet added node; raft copes with it.
      return "member";
    }
    String violation = PeerMessageRules.senderViolation(m, from, recipient::isMember);
    if (violation == null) {
      violation = PeerMessageRules.violation(m);
    }
    if (violation != null) {
      String line = "message " + m.getType() + " from " + from + " to " + m.getTo() + " " + violation;
      log.error("refused by the peer checks: {}", line);
      refusals.add(line);
      return violation;
    }
    return null;
  }

  private static void failed(Message m, TransportListener listener) {
    if (m.getType() == MessageType.MsgSnap) {
      listener.reportSnapshot(m.getTo(), SnapshotStatus.FAILURE);
    } else {
      listener.reportUnreachable(m.getTo());
    }
  }

  private static ScheduledExecutorService inbox(long id) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "raft-test-network-to-" + Long.toUnsignedString(id));
          t.setDaemon(true);
          return t;
        });
  }

  private final class Transport implements RaftTransport {

    private final long self;
    private volatile @Nullable TransportListener listener;

    Transport(long self) {
      this.self = self;
    }

    @Override
    public void start(long selfId, Map<Long, URI> peers, TransportListener l) {
      if (selfId != self) {
        throw new IllegalStateException(
            "transport of node " + self + " started by node " + selfId + "; give every node its own");
      }
      listener = l;
    }

    @Override
    public void send(Message message) {
      TransportListener l = listener;
      if (l != null) {
        InMemoryNetwork.this.send(self, message, l);
      }
    }

    @Override
    public void updatePeers(Map<Long, URI> peers) {
      // Addresses mean nothing here: nodes are found by id.
    }

    @Override
    public void stop() {
      listener = null;
    }
  }
}
