package dev.raftboot.spring.runtime;

import dev.raftboot.spring.api.NodeStoppedException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The raft loop's input queue: any thread puts a {@link LoopInput}, only the {@link RaftLoop}
 * takes. Unbounded, as the callers' own timeouts bound what waits in it.
 */
final class LoopInbox {

  private final BlockingQueue<LoopInput> queue = new LinkedBlockingQueue<>();
  private final NodeState state;

  LoopInbox(NodeState state) {
    this.state = state;
  }

  void put(LoopInput input) {
    queue.add(input);
  }

  /**
   * Puts the question {@code ask} builds around a new future and returns that future, which the
   * raft loop completes; fails at once with {@link NodeStoppedException} when the node is not
   * running or it failed (see {@link NodeFault}).
   */
  <T> CompletableFuture<T> ask(Function<CompletableFuture<T>, LoopInput> ask) {
    if (!state.serving()) {
      return CompletableFuture.failedFuture(state.notServing());
    }
    CompletableFuture<T> reply = new CompletableFuture<>();
    queue.add(ask.apply(reply));
    return reply;
  }

  /** Waits up to {@code nanos} for an input, then moves it and all queued after it to {@code to}. */
  boolean takeAll(long nanos, Collection<LoopInput> to) throws InterruptedException {
    LoopInput first = queue.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    if (first == null) {
      return false;
    }
    to.add(first);
    queue.drainTo(to);
    return true;
  }

  /** Takes what is queued, without waiting. */
  List<LoopInput> drain() {
    List<LoopInput> rest = new ArrayList<>();
    queue.drainTo(rest);
    return rest;
  }
}
