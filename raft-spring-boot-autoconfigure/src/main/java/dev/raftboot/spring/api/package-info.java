/**
 * The API an application uses on its raft node: {@link dev.raftboot.spring.api.RaftOperations}
 * (status, members, membership changes, leadership transfer, snapshots), {@link
 * dev.raftboot.spring.api.ReplicatedLog} (submit a command, wait until a read may be served), the
 * values they return, the application events a node publishes, and the exceptions a command or
 * read fails with.
 *
 * <h2>Threading</h2>
 *
 * Every method of {@code RaftOperations} and {@code ReplicatedLog} may be called from any thread
 * and never blocks on the raft log: the ones that take effect through the log return a {@link
 * java.util.concurrent.CompletableFuture}, completed on one of the node's own threads, mostly the
 * apply thread (dependent stages run there unless made asynchronous, so they must be quick and
 * must not wait for another replicated call). {@code status()} and {@code
 * leader()} wait for the raft loop's answer, at most the command timeout. Events are published on
 * a thread of their own, in order, so a listener may make replicated calls.
 *
 * <h2>Failures</h2>
 *
 * {@link dev.raftboot.spring.api.ReplicationException} is sealed: a {@link
 * dev.raftboot.spring.api.NotAppliedException} means the command certainly was not applied and
 * will not be; an {@link dev.raftboot.spring.api.OutcomeUnknownException} means it may have been
 * applied or may still be. An applied command completes with its method's value or exception.
 */
package dev.raftboot.spring.api;
