package dev.raftboot.spring.transport;

import dev.raftboot.raftpb.Message;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A stand-in node that records what the endpoint hands it. */
final class RecordingReceiver implements RaftMessageReceiver {

  private final long nodeId;
  private final String clusterId;
  private final Set<Long> initialMembers;
  final Set<Long> members = ConcurrentHashMap.newKeySet();
  final List<Message> received = new CopyOnWriteArrayList<>();
  volatile boolean running = true;
  private final AtomicReference<Gate> gate = new AtomicReference<>();

  RecordingReceiver(long nodeId, String clusterId, Set<Long> members) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.initialMembers = Set.copyOf(members);
    reset();
  }

  void reset() {
    received.clear();
    members.clear();
    members.addAll(initialMembers);
    running = true;
    Gate g = gate.getAndSet(null);
    if (g != null) {
      g.open();
    }
  }

  /** Makes the next {@link #receive} wait until the returned gate is opened (10 s at most). */
  Gate holdNext() {
    Gate g = new Gate();
    gate.set(g);
    return g;
  }

  @Override
  public long nodeId() {
    return nodeId;
  }

  @Override
  public String clusterId() {
    return clusterId;
  }

  @Override
  public boolean isMember(long id) {
    return members.contains(id);
  }

  @Override
  public boolean receive(Message message) {
    if (!running) {
      return false;
    }
    Gate g = gate.getAndSet(null);
    if (g != null) {
      g.entered.countDown();
      g.await();
    }
    received.add(message);
    return true;
  }

  /** Holds one request inside the node until opened. */
  static final class Gate {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);

    void awaitEntered() throws InterruptedException {
      if (!entered.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("no request reached the node");
      }
    }

    void open() {
      opened.countDown();
    }

    private void await() {
      try {
        opened.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
