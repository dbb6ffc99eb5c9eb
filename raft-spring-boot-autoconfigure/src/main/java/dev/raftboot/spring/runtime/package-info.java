/**
 * The engine that runs one raft node: {@link dev.raftboot.spring.runtime.RaftServer}, its
 * lifecycle and the implementation of the {@code dev.raftboot.spring.api} interfaces, and the
 * package-private parts it is made of.
 *
 * <h2>Threading</h2>
 *
 * Three threads do the work. The raft loop ({@code RaftLoop}) owns the {@code RawNode}: it alone
 * ticks, steps, proposes and processes Readies. The persist thread ({@code PersistStage}) alone
 * writes to storage, and releases the acknowledgements and votes once their write is durable. The
 * apply thread ({@code ApplyLoop}) alone calls the application's applier and snapshotter. Other
 * threads hand them typed inputs ({@code LoopInput}, {@code PersistInput}, {@code ApplyInput}) through
 * queues and never touch their state; the values the parts publish for others ({@code NodeState})
 * each have one writer. See {@code src-docs/architecture.md}.
 */
package dev.raftboot.spring.runtime;
