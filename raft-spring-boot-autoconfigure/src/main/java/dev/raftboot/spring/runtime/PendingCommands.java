package dev.raftboot.spring.runtime;

import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.StoppedBeforeAppliedException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The callers on this node waiting for their command or membership change, by request id.
 * Thread-safe: callers register, the apply thread settles what it applied, the raft loop fails
 * what timed out or what raft refused, the lifecycle fails the rest on stop. Whoever removes an
 * entry first settles it, so a future completes once.
 */
final class PendingCommands {

  private record Pending(CompletableFuture<Object> future, long deadline) {}

  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final NodeState state;

  PendingCommands(NodeState state) {
    this.state = state;
  }

  /** A future for {@code requestId} that fails once {@link System#nanoTime()} passes {@code deadline}. */
  CompletableFuture<Object> register(long requestId, long deadline) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    pending.put(requestId, new Pending(f, deadline));
    return f;
  }

  boolean isPending(long requestId) {
    return pending.containsKey(requestId);
  }

  /**
   * Completes {@code requestId}'s caller with {@code result}, or with {@code error} if not null.
   * False when no caller waits for it (submitted on another node, or timed out already).
   */
  boolean settle(long requestId, Object result, Throwable error) {
    Pending p = pending.remove(requestId);
    if (p == null) {
      return false;
    }
    if (error != null) {
      p.future().completeExceptionally(error);
    } else {
      p.future().complete(result);
    }
    return true;
  }

  /**
   * Fails every caller whose deadline passed before {@code now}: with {@link NoLeaderException}
   * when its proposal never left this node (its id is in {@code neverProposedIds}), so it was
   * certainly not applied; else with {@link CommandTimeoutException}, since it may still commit.
   * {@code neverProposedIds} is asked only if some deadline passed: this runs on every tick.
   */
  void expire(long now, Supplier<Set<Long>> neverProposedIds) {
    Set<Long> neverProposed = null;
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Pending> e = it.next();
      Pending p = e.getValue();
      if (now - p.deadline() > 0) {
        it.remove();
        state.proposalsFailed.incrementAndGet();
        if (neverProposed == null) {
          neverProposed = neverProposedIds.get();
        }
        if (neverProposed.contains(e.getKey())) {
          p.future().completeExceptionally(
              new NoLeaderException(
                  "no leader accepted the command within its timeout; it was not applied"));
        } else {
          p.future().completeExceptionally(
              new CommandTimeoutException(
                  "not applied within its timeout; the outcome is unknown (it may still be applied)"));
        }
      }
    }
  }

  /**
   * On stop, fails every caller still waiting: with {@link NodeStoppedException} when its proposal
   * never left this node ({@code neverProposed}), else with {@link StoppedBeforeAppliedException},
   * since the leader (this node or another) may still commit it.
   */
  void failAll(Set<Long> neverProposed) {
    failAll(neverProposed, "raft node stopped");
  }

  /** {@link #failAll(Set)}, each message starting with {@code why} (such as a storage failure). */
  void failAll(Set<Long> neverProposed, String why) {
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Pending> e = it.next();
      it.remove();
      e.getValue()
          .future()
          .completeExceptionally(
              neverProposed.contains(e.getKey())
                  ? new NodeStoppedException(why + "; the command was not applied")
                  : new StoppedBeforeAppliedException(
                      why + " before it applied the command; the outcome is unknown"
                          + " (it may still be applied)"));
    }
  }
}
