package dev.raftboot.spring.api;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.spi.CommandApplier;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The part of a raft node that replicated method calls need: submit a command to the log, wait
 * until local state may be read, and tell whether the current thread is applying a command.
 * Implemented by the runtime's {@code RaftServer}; tests replace it with an in-process log.
 */
public interface ReplicatedLog {

  /**
   * Replicates {@code command} and completes with what the {@link CommandApplier} returned for it
   * on this node (or exceptionally with what it threw) once it is applied here. Fails with {@link
   * NoLeaderException} (not applied), {@link CommandTimeoutException} (outcome unknown) or {@link
   * NodeStoppedException}.
   */
  CompletableFuture<Object> submit(ByteString command);

  /**
   * Like {@link #submit(ByteString)}, with a timeout for this command instead of the default. Once
   * it has passed (checked periodically, so possibly a little later) the future fails with {@link
   * NoLeaderException} if no leader ever accepted the command, else with {@link
   * CommandTimeoutException}.
   */
  CompletableFuture<Object> submit(ByteString command, Duration timeout);

  /** Completes once a read at {@code consistency} may be served from this node's state. */
  CompletableFuture<Void> readBarrier(ReadConsistency consistency);

  /** Whether the calling thread is the apply thread, inside a {@link CommandApplier} call. */
  boolean isApplyThread();
}
