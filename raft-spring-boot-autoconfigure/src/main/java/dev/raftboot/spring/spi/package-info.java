/**
 * What an application implements for the runtime to call: the {@link
 * dev.raftboot.spring.spi.CommandApplier} that applies committed commands to its replicated state
 * and the {@link dev.raftboot.spring.spi.StateSnapshotter} that writes and restores that state.
 * (Applications built on {@code @ReplicatedCommand} get the applier from the starter.)
 *
 * <h2>Threading</h2>
 *
 * Both are called on the node's single apply thread, one call at a time, in log order: the
 * replicated state needs no lock against the runtime, only against the application's own readers
 * on other threads. A call must be deterministic and must not wait for another replicated call
 * (it would wait for the thread it runs on).
 */
package dev.raftboot.spring.spi;
