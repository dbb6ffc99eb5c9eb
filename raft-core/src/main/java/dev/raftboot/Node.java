package dev.raftboot;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A thread-safe Raft node: a {@link RawNode} owned by one thread that this class starts, with
 * every operation handed to that thread as a command.
 *
 * <p>All methods may be called from any thread. Operations that report an outcome return a
 * {@link CompletableFuture} that completes once the node thread has handled them (for a proposal:
 * appended on the leader or forwarded to it, not yet committed), or exceptionally with {@link
 * ProposalDroppedException} or {@link StoppedException}. Commands queued while the node thread is
 * busy are handled together, so concurrent proposals share one {@link Ready}.
 *
 * <p>The application's loop: take a Ready with {@link #ready()}, persist, send, apply (calling
 * {@link #applyConfChange}), then {@link #advance()}. The node produces the next Ready only after
 * {@code advance()} (in async-storage-writes mode, as soon as the previous one was taken).
 * Run that loop on one thread of the application's own; the node thread keeps stepping messages
 * and reading the {@link Storage} meanwhile, so the storage must allow a concurrent writer.
 *
 * <p>Operations that return a future complete it exceptionally with whatever {@link RawNode}
 * throws for them. Operations without one ({@link #tick()}, the reports, {@link
 * #transferLeadership}, {@link #forgetLeader()}) are fire-and-forget: queued and never refused;
 * what they throw on the node thread is dropped, and so are they once the node is stopped. The
 * node thread is a daemon; {@link #stop()} ends it.
 */
public final class Node implements AutoCloseable {

  private static final Ready STOPPED_MARKER =
      new Ready(null, null, List.of(), List.of(), null, List.of(), List.of(), false);

  private final RawNode rawNode;
  private final boolean asyncStorageWrites;
  private final BlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
  private final BlockingQueue<Ready> readyQueue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopped;
  private boolean awaitingAdvance;

  private Node(Config config, RawNode rawNode) {
    this.rawNode = rawNode;
    this.asyncStorageWrites = config.asyncStorageWrites();
    this.thread = new Thread(this::run, "raft-node-" + Long.toHexString(config.id()));
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Starts a node for a new cluster: bootstraps empty storage with {@code peers} as the initial
   * voters. Every initial member starts with the same peer list.
   *
   * @throws IllegalArgumentException if {@code peers} is empty (use {@link #restart} to start with
   *     existing storage or to join with no peers), storage is not empty, or the config is invalid
   */
  public static Node start(Config config, List<Peer> peers) {
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("no peers given; use Node.restart instead");
    }
    RawNode rn = new RawNode(config);
    rn.bootstrap(peers);
    return new Node(config, rn);
  }

  /**
   * Starts a node from what its storage holds: a restart, or a new member joining an existing
   * cluster with empty storage (it learns the configuration from the leader).
   */
  public static Node restart(Config config) {
    return new Node(config, new RawNode(config));
  }

  private void run() {
    List<Runnable> batch = new ArrayList<>();
    try {
      while (!stopped) {
        if (!awaitingAdvance && readyQueue.isEmpty() && rawNode.hasReady()) {
          Ready rd = rawNode.ready();
          awaitingAdvance = !asyncStorageWrites;
          readyQueue.add(rd);
        }
        batch.add(commands.take());
        commands.drainTo(batch);
        for (Runnable r : batch) {
          r.run();
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped = true;
      readyQueue.add(STOPPED_MARKER);
      failPending();
    }
  }

  private void failPending() {
    List<Runnable> rest = new ArrayList<>();
    commands.drainTo(rest);
    for (Runnable r : rest) {
      if (r instanceof Call<?> c) {
        c.future.completeExceptionally(StoppedException.INSTANCE);
      }
    }
  }

  /** A command whose outcome a caller waits for. */
  private final class Call<T> implements Runnable {
    final Function<RawNode, T> action;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Call(Function<RawNode, T> action) {
      this.action = action;
    }

    @Override
    public void run() {
      if (stopped) {
        future.completeExceptionally(StoppedException.INSTANCE);
        return;
      }
      try {
        future.complete(action.apply(rawNode));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
      }
    }
  }

  private <T> CompletableFuture<T> call(Function<RawNode, T> action) {
    Call<T> c = new Call<>(action);
    if (stopped) {
      c.future.completeExceptionally(StoppedException.INSTANCE);
      return c.future;
    }
    commands.add(c);
    if (stopped) {
      // stop() may have drained the queue just before we added to it.
      c.future.completeExceptionally(StoppedException.INSTANCE);
    }
    return c.future;
  }

  private CompletableFuture<Void> run(java.util.function.Consumer<RawNode> action) {
    return call(
        rn -> {
          action.accept(rn);
          return null;
        });
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw StoppedException.INSTANCE;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new CompletionException(e.getCause());
    }
  }

  /** Advances the logical clock by one tick; call at a fixed interval. See {@link RawNode#tick}. */
  public void tick() {
    run(RawNode::tick);
  }

  /** Starts an election; see {@link RawNode#campaign()}. */
  public CompletableFuture<Void> campaign() {
    return run(RawNode::campaign);
  }

  /**
   * Proposes data; the future completes when the leader appended it or it was forwarded to the
   * leader, and fails with {@link ProposalDroppedException} when it was refused. Neither says it
   * will be committed: watch the committed entries for that.
   */
  public CompletableFuture<Void> propose(ByteString data) {
    return run(rn -> rn.propose(data));
  }

  /** Proposes a conf change; as {@link #propose}, checked as {@link RawNode#proposeConfChange}. */
  public CompletableFuture<Void> proposeConfChange(ConfChange cc) {
    return run(rn -> rn.proposeConfChange(cc));
  }

  /** As {@link #proposeConfChange(ConfChange)}, for joint-consensus changes. */
  public CompletableFuture<Void> proposeConfChange(ConfChangeV2 cc) {
    return run(rn -> rn.proposeConfChange(cc));
  }

  /**
   * Hands a message from a peer to the node. The future fails as {@link RawNode#step} throws; a
   * transport may ignore it, since Raft recovers from lost messages.
   */
  public CompletableFuture<Void> step(Message m) {
    return run(rn -> rn.step(m));
  }

  /**
   * Waits for the next Ready. Call from one thread only: the node hands out one Ready at a time.
   *
   * @throws StoppedException once the node is stopped
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public Ready ready() throws InterruptedException {
    return takeChecked(readyQueue.take());
  }

  /**
   * Waits up to {@code timeout} for the next Ready; {@code null} if none came.
   *
   * @throws StoppedException once the node is stopped
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public Ready pollReady(long timeout, TimeUnit unit) throws InterruptedException {
    Ready rd = readyQueue.poll(timeout, unit);
    return rd == null ? null : takeChecked(rd);
  }

  private Ready takeChecked(Ready rd) {
    if (rd == STOPPED_MARKER) {
      readyQueue.add(STOPPED_MARKER);
      throw StoppedException.INSTANCE;
    }
    if (asyncStorageWrites) {
      // Wake the node thread so it can produce the next Ready.
      commands.add(() -> {});
    }
    return rd;
  }

  /**
   * Signals that the last Ready was persisted and applied (not in async-storage-writes mode); see
   * {@link RawNode#advance()}. Returns at once; the node thread does the work.
   */
  public void advance() {
    commands.add(
        () -> {
          rawNode.advance();
          awaitingAdvance = false;
        });
  }

  /**
   * Applies a committed conf change; blocks until done and returns the new configuration. See
   * {@link RawNode#applyConfChange(ConfChange)}.
   *
   * @throws dev.raftboot.confchange.ConfChangeException if the change is invalid
   * @throws StoppedException if the node is stopped, or the calling thread is interrupted
   */
  public ConfState applyConfChange(ConfChange cc) {
    return await(call(rn -> rn.applyConfChange(cc)));
  }

  /** As {@link #applyConfChange(ConfChange)}, for joint-consensus changes. */
  public ConfState applyConfChange(ConfChangeV2 cc) {
    return await(call(rn -> rn.applyConfChange(cc)));
  }

  /**
   * The node's status; blocks until the node thread answers.
   *
   * @throws StoppedException if the node is stopped, or the calling thread is interrupted
   */
  public Status status() {
    return await(call(RawNode::status));
  }

  /** See {@link RawNode#reportUnreachable(long)}. */
  public void reportUnreachable(long id) {
    run(rn -> rn.reportUnreachable(id));
  }

  /** See {@link RawNode#reportSnapshot(long, SnapshotStatus)}. */
  public void reportSnapshot(long id, SnapshotStatus status) {
    run(rn -> rn.reportSnapshot(id, status));
  }

  /** Asks for leadership to move to {@code transferee}; check {@link #status()} for the result. */
  public void transferLeadership(long transferee) {
    run(rn -> rn.transferLeader(transferee));
  }

  /** See {@link RawNode#forgetLeader()}. */
  public void forgetLeader() {
    run(RawNode::forgetLeader);
  }

  /** Requests a read index; the answer arrives as a {@link ReadState} in a later Ready. */
  public CompletableFuture<Void> readIndex(ByteString rctx) {
    return run(rn -> rn.readIndex(rctx));
  }

  /** As {@link RawNode#readIndex(ByteString, ReadOnlyOption)}. */
  public CompletableFuture<Void> readIndex(ByteString rctx, ReadOnlyOption option) {
    return run(rn -> rn.readIndex(rctx, option));
  }

  /**
   * Stops the node thread; pending and later calls fail with {@link StoppedException}, and a
   * waiting {@link #ready()} throws it. Waits up to ten seconds for the thread to end; idempotent.
   */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    commands.add(() -> {});
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }
}
