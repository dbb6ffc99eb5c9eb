package dev.raftboot.spring.command;

import dev.raftboot.spring.api.InvalidCommandException;
import dev.raftboot.spring.api.ReplicatedCallInterruptedException;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a Spring bean whose calls change replicated state.
 *
 * <p>Calling the method on any node does not run it there and then: the call (bean name, method
 * and arguments, encoded by the {@link CommandCodec}) is proposed to the raft log. Once the entry is
 * committed, every node invokes the method on its own instance of the bean, on its apply thread, in
 * log order. The caller receives the return value, or the exception, of its <em>own</em> node's
 * invocation. A return means the call is committed (stored by a majority) and applied on the
 * caller's node; other nodes apply it when they reach that log index.
 *
 * <h2>The method's contract</h2>
 *
 * The method must be deterministic: given the same state and arguments it must make the same
 * changes and return the same result on every node, with the same code version deployed everywhere.
 * It must not read clocks or random sources, call other services, or depend on anything that is not
 * replicated state; such inputs belong in the arguments, computed by the caller. Calls run one at a
 * time on the apply thread, so the method needs no locking against other commands, but it should be
 * quick: the next command waits for it. The replicated state it changes may be read concurrently by
 * {@link ReplicatedQuery} methods on other threads, so it must be safe for such readers (for
 * example a {@link java.util.concurrent.ConcurrentHashMap}).
 *
 * <h2>Return types</h2>
 *
 * <ul>
 *   <li>Any plain type, including {@code void}: the calling thread blocks until the call is applied
 *       on its node, for about {@link #timeout()} at most.
 *   <li>{@link java.util.concurrent.CompletableFuture} or {@link
 *       java.util.concurrent.CompletionStage}: the call returns at once with a future of the
 *       result. The method itself must make its changes before it returns and should return an
 *       already completed future ({@code CompletableFuture.completedFuture(value)} or {@code
 *       failedFuture(exception)}); the caller's future completes with that future's outcome. The
 *       caller's future is completed on the dispatcher's executor, never on the apply thread.
 * </ul>
 *
 * <h2>Failures</h2>
 *
 * <ul>
 *   <li>An exception thrown by the method on the caller's node is thrown to the caller (or fails
 *       the future): unchecked exceptions and declared checked exceptions as themselves, other
 *       checked exceptions wrapped in {@link java.lang.reflect.UndeclaredThrowableException}. The
 *       log entry stays committed; every node threw the same exception, so every node kept the same
 *       state.
 *   <li>{@link dev.raftboot.spring.api.NoLeaderException}: no leader accepted the call within
 *       the timeout (an election was in progress, or this node is cut off from a majority); it was
 *       not applied and is safe to retry.
 *   <li>{@link dev.raftboot.spring.api.CommandTimeoutException}: not applied on this node within
 *       the timeout. The outcome is unknown: it may have been applied, or may still be.
 *   <li>{@link dev.raftboot.spring.api.NodeStoppedException}: the local raft node is not
 *       running.
 *   <li>{@link InvalidCommandException}: the arguments could not be encoded (nothing was proposed),
 *       or the applying node has no such bean or method or cannot decode the arguments (every node
 *       fails it the same way and no state changes).
 *   <li>{@link ReplicatedCallInterruptedException}: the blocked caller was interrupted; its
 *       interrupt flag is set again and the outcome is unknown. A method that declares {@link
 *       InterruptedException} gets that instead.
 * </ul>
 *
 * <h2>Calls from inside an apply</h2>
 *
 * A replicated method called while a command is being applied (on the apply thread, for example
 * one command method calling another bean's command method) runs directly on the local bean and is
 * not proposed again: every node makes the same nested call as part of applying the outer command.
 *
 * <h2>Requirements</h2>
 *
 * The bean must be a singleton with a stable name (the name identifies it on every node). Its
 * class and the method must not be final and the method must not be private or static, so that the
 * bean can be proxied. Annotations on interface or superclass methods are honoured.
 *
 * @see ReplicatedQuery
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReplicatedCommand {

  /**
   * How long a caller waits for the call to be applied on its node before it fails with {@link
   * dev.raftboot.spring.api.CommandTimeoutException} (or {@link
   * dev.raftboot.spring.api.NoLeaderException} when no leader accepted it), as a duration such as {@code 500ms},
   * {@code 10s} or {@code PT10S}, or a {@code ${...}} placeholder for one. Empty (the default)
   * uses the dispatcher's default, normally {@code raft.command-timeout}. Applies to future
   * returns too.
   */
  String timeout() default "";
}
