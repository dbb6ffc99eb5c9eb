package dev.raftboot.spring.command;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.ReadTimeoutException;
import dev.raftboot.spring.api.ReplicatedCallInterruptedException;
import dev.raftboot.spring.api.ReplicatedLog;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * The caller's side of replicated methods: proposes {@link ReplicatedCommand} calls to the log and
 * waits for their result, and runs {@link ReplicatedQuery} calls once the read barrier allows.
 * Exceptions reach the caller as the annotations describe.
 *
 * <p>Futures returned to callers are completed on {@code executor}, never on the raft apply thread,
 * so that callers' continuations cannot stall or deadlock the apply loop.
 */
public final class ReplicatedCallDispatcher {

  /**
   * How long past a command's timeout the dispatcher waits for the node's own verdict, which tells
   * a command that was never accepted by a leader ({@code NoLeaderException}: not applied) from
   * one with an unknown outcome. The node checks deadlines periodically, not to the nanosecond.
   */
  static final Duration VERDICT_GRACE = Duration.ofSeconds(2);

  private final Supplier<? extends ReplicatedLog> logSupplier;
  private final CommandCodec codec;
  private final Duration defaultTimeout;
  private final Executor executor;
  private final int formatVersion;
  private volatile @Nullable ReplicatedLog log;

  /**
   * @param log the local raft node, looked up on the first call (the node is created after the
   *     beans whose methods it applies)
   * @param codec encodes the arguments; must be the codec the {@link ReplicatedCommandApplier} uses
   * @param defaultTimeout how long a command waits to be applied, and a query for its read
   *     barrier, unless the annotation says otherwise
   * @param executor completes the futures handed to callers and runs asynchronous queries
   * @param formatVersion the command format written to the log, 1 or 2 (see the package
   *     documentation); every node reads both, but a node of a version before format 2 reads only
   *     1, so write 1 until every node of the cluster runs a version that reads 2
   */
  public ReplicatedCallDispatcher(
      Supplier<? extends ReplicatedLog> log,
      CommandCodec codec,
      Duration defaultTimeout,
      Executor executor,
      int formatVersion) {
    if (defaultTimeout.isNegative() || defaultTimeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + defaultTimeout);
    }
    if (formatVersion != MethodCall.FORMAT_1 && formatVersion != MethodCall.FORMAT_2) {
      throw new IllegalArgumentException(
          "command format version must be " + MethodCall.FORMAT_1 + " or " + MethodCall.FORMAT_2
              + ", not " + formatVersion);
    }
    this.logSupplier = log;
    this.codec = codec;
    this.defaultTimeout = defaultTimeout;
    this.executor = executor;
    this.formatVersion = formatVersion;
  }

  /**
   * A dispatcher that writes command format {@code formatVersion} and completes callers' futures
   * on a shared pool of daemon threads that are reused while busy and end after a minute idle. Not
   * {@link CompletableFuture}'s default: on a machine with fewer than three cores that starts a new
   * thread for every completion.
   */
  public ReplicatedCallDispatcher(
      Supplier<? extends ReplicatedLog> log,
      CommandCodec codec,
      Duration defaultTimeout,
      int formatVersion) {
    this(log, codec, defaultTimeout, CallbackPool.EXECUTOR, formatVersion);
  }

  /** Like {@link #ReplicatedCallDispatcher(Supplier, CommandCodec, Duration, int)}, writing format 2. */
  public ReplicatedCallDispatcher(
      Supplier<? extends ReplicatedLog> log, CommandCodec codec, Duration defaultTimeout) {
    this(log, codec, defaultTimeout, MethodCall.FORMAT_2);
  }

  /** Holder, so that the pool's threads exist only once a dispatcher uses it. */
  private static final class CallbackPool {
    private static final AtomicInteger THREADS = new AtomicInteger();
    static final Executor EXECUTOR =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "raft-callback-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  @Nullable Object invoke(ReplicatedMethod m, MethodInvocation invocation) throws Throwable {
    ReplicatedLog log = log();
    if (log.isApplyThread()) {
      // Part of applying a command: every node makes this same call, so run it here and now.
      return invocation.proceed();
    }
    return m.command() ? command(log, m, invocation.getArguments()) : query(log, m, invocation);
  }

  private ReplicatedLog log() {
    ReplicatedLog l = log;
    if (l == null) {
      try {
        l = logSupplier.get();
      } catch (RuntimeException e) {
        NodeStoppedException ex = new NodeStoppedException("no raft node available: " + e.getMessage());
        ex.initCause(e);
        throw ex;
      }
      if (l == null) {
        throw new NodeStoppedException("no raft node available");
      }
      log = l;
    }
    return l;
  }

  // --- commands ------------------------------------------------------------------------------------

  private @Nullable Object command(ReplicatedLog log, ReplicatedMethod m, @Nullable Object[] args)
      throws Throwable {
    ByteString call = MethodCall.encode(m, args, codec, formatVersion);
    Duration timeout = m.timeout() != null ? m.timeout() : defaultTimeout;
    CompletableFuture<Object> applied = log.submit(call, timeout);
    long waitNanos = timeout.plus(VERDICT_GRACE).toNanos();
    if (m.async()) {
      CompletableFuture<Object> result = new CompletableFuture<>();
      applied
          .copy()
          .orTimeout(waitNanos, TimeUnit.NANOSECONDS)
          .whenCompleteAsync(
              (value, error) -> {
                if (error != null) {
                  result.completeExceptionally(asyncFailure(m, unwrap(error), timeout));
                } else {
                  relay(value, result);
                }
              },
              executor);
      return result;
    }
    try {
      return applied.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw commandTimeout(m, timeout);
    } catch (InterruptedException e) {
      throw interrupted(m, e);
    } catch (ExecutionException e) {
      throw forCaller(m, unwrap(e));
    }
  }

  private static CommandTimeoutException commandTimeout(ReplicatedMethod m, Duration timeout) {
    return new CommandTimeoutException(
        m.id() + " was not applied within " + timeout.toMillis()
            + " ms; the outcome is unknown (it may still be applied)");
  }

  private static Throwable asyncFailure(ReplicatedMethod m, Throwable error, Duration timeout) {
    return error instanceof TimeoutException ? commandTimeout(m, timeout) : error;
  }

  // --- queries -------------------------------------------------------------------------------------

  private @Nullable Object query(ReplicatedLog log, ReplicatedMethod m, MethodInvocation invocation)
      throws Throwable {
    CompletableFuture<Void> barrier = log.readBarrier(m.consistency());
    if (!m.async()) {
      try {
        barrier.get(defaultTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw readTimeout(m);
      } catch (InterruptedException e) {
        throw interrupted(m, e);
      } catch (ExecutionException e) {
        throw forCaller(m, unwrap(e));
      }
      return invocation.proceed();
    }
    if (barrier.isDone() && !barrier.isCompletedExceptionally()) {
      return proceedAsync(invocation);
    }
    CompletableFuture<Object> result = new CompletableFuture<>();
    barrier
        .copy()
        .orTimeout(defaultTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenCompleteAsync(
            (ready, error) -> {
              if (error != null) {
                Throwable cause = unwrap(error);
                result.completeExceptionally(
                    cause instanceof TimeoutException ? readTimeout(m) : cause);
              } else {
                proceedAsync(invocation)
                    .whenComplete(
                        (value, failure) -> {
                          if (failure != null) {
                            result.completeExceptionally(unwrap(failure));
                          } else {
                            result.complete(value);
                          }
                        });
              }
            },
            executor);
    return result;
  }

  private ReadTimeoutException readTimeout(ReplicatedMethod m) {
    return new ReadTimeoutException(
        m.id() + ": read not confirmed within " + defaultTimeout.toMillis() + " ms");
  }

  /** Runs an asynchronous query method; what it throws fails the returned future. */
  @SuppressWarnings("unchecked")
  private static CompletableFuture<Object> proceedAsync(MethodInvocation invocation) {
    try {
      Object value = invocation.proceed();
      if (value instanceof CompletionStage<?> stage) {
        return (CompletableFuture<Object>) stage.toCompletableFuture();
      }
      return CompletableFuture.completedFuture(value);
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }

  // --- results and failures ------------------------------------------------------------------------

  /** Completes {@code result} with {@code value}, or with the outcome of the future it is. */
  private static void relay(@Nullable Object value, CompletableFuture<Object> result) {
    if (value instanceof CompletionStage<?> stage) {
      stage.whenComplete(
          (v, e) -> {
            if (e != null) {
              result.completeExceptionally(unwrap(e));
            } else {
              result.complete(v);
            }
          });
    } else {
      result.complete(value);
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  /** What a blocked caller gets for {@code error}: itself if the method may throw it. */
  private static Throwable forCaller(ReplicatedMethod m, Throwable error) {
    return m.declares(error) ? error : new UndeclaredThrowableException(error);
  }

  private static Throwable interrupted(ReplicatedMethod m, InterruptedException e) {
    if (m.declares(e)) {
      return e;
    }
    Thread.currentThread().interrupt();
    return new ReplicatedCallInterruptedException(
        "interrupted while waiting for " + m.id()
            + (m.command() ? "; the outcome is unknown (it may still be applied)" : ""),
        e);
  }
}
