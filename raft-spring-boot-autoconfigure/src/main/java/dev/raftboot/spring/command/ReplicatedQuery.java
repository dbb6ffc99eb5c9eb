package dev.raftboot.spring.command;

import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedCallInterruptedException;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a Spring bean that reads replicated state.
 *
 * <p>A call first waits until this node's state is current enough for {@link #consistency()}, and
 * then invokes the method on the local bean, on the caller's thread. Nothing goes through the log,
 * so the method may do anything a normal read may do; it should not change replicated state (that
 * is what {@link ReplicatedCommand} is for).
 *
 * <p>Because the method runs on the caller's thread while the apply thread may be applying
 * commands, the replicated state must be safe to read concurrently with those changes (for example
 * a {@link java.util.concurrent.ConcurrentHashMap}, immutable values swapped through a volatile
 * field, or a lock shared with the command methods). A query called on the apply thread (from
 * inside a command) runs at once, without waiting.
 *
 * <h2>Return types</h2>
 *
 * Plain types block the caller until the state is ready and the method has run. {@link
 * java.util.concurrent.CompletableFuture} or {@link java.util.concurrent.CompletionStage} return at
 * once; the method then runs once the state is ready, on the
 * dispatcher's executor (or on the caller's thread when it is ready at once, as with {@link
 * ReadConsistency#LOCAL}), and the returned future completes with the outcome of the future the
 * method returns. An exception thrown by such a method fails the future.
 *
 * <h2>Failures</h2>
 *
 * {@link dev.raftboot.spring.api.ReadTimeoutException} when no leader confirmed the read within
 * the dispatcher's timeout (safe to retry), {@link dev.raftboot.spring.api.NodeStoppedException}
 * when the local node is not running, {@link ReplicatedCallInterruptedException} when the waiting
 * caller is interrupted, and whatever the method itself throws.
 *
 * <p>The bean requirements are those of {@link ReplicatedCommand}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReplicatedQuery {

  /** How current the state must be before the method runs. */
  ReadConsistency consistency() default ReadConsistency.LINEARIZABLE;
}
