/**
 * The Raft consensus algorithm as a library: a port of etcd raft that keeps its behaviour, its
 * names and its wire format.
 *
 * <h2>What is here</h2>
 *
 * <ul>
 *   <li>{@link dev.raftboot.RawNode}: one Raft node as a plain state machine. Inputs are messages
 *       ({@code step}), logical clock ticks ({@code tick}) and proposals; the output is a stream of
 *       {@link dev.raftboot.Ready} batches (entries and hard state to persist, messages to send,
 *       committed entries to apply).
 *   <li>{@link dev.raftboot.Node}: the same node behind one thread of its own, for callers on many
 *       threads.
 *   <li>{@link dev.raftboot.Storage}: what the node reads its stable log, hard state and snapshot
 *       from; {@link dev.raftboot.MemoryStorage} is the in-memory implementation.
 *   <li>{@link dev.raftboot.Config}: every parameter of a node, with etcd's defaults and checks.
 *   <li>Values the node reports: {@link dev.raftboot.Status}, {@link dev.raftboot.BasicStatus},
 *       {@link dev.raftboot.SoftState}, {@link dev.raftboot.ReadState}; and the unchecked
 *       exceptions under {@link dev.raftboot.RaftException}, which are expected outcomes (a dropped
 *       proposal, a compacted index, a stopped node), not bugs.
 * </ul>
 *
 * <p>The algorithm itself is package-private: {@code Raft} (roles, terms, votes, replication,
 * commitment, membership, leadership transfer; one step function per role), {@code RaftLog} (the
 * stable log seen through {@code Storage} plus the {@code Unstable} tail) and {@code ReadOnly}
 * (pending ReadIndex requests). Quorum arithmetic, the leader's per-follower progress and the
 * membership-change rules live in the sub-packages {@link dev.raftboot.quorum}, {@link
 * dev.raftboot.tracker} and {@link dev.raftboot.confchange}; the protobuf wire and storage types in
 * {@link dev.raftboot.raftpb}.
 *
 * <h2>Threading and determinism</h2>
 *
 * <p>{@code RawNode} is not thread-safe and needs no locks: exactly one thread drives it at a time.
 * It never blocks, reads a clock, sleeps, starts a thread or does I/O other than reading its {@code
 * Storage}; time is whatever the caller's {@code tick} calls say, and the only randomness (the
 * election timeout) comes from {@link dev.raftboot.Config#random()}. Given the same storage
 * contents, configuration, random seed and sequence of inputs it produces the same Readies, which
 * is what makes the scenario scripts and the simulation replayable.
 *
 * <p>{@code Node} owns one thread that is the only one touching its {@code RawNode}; its methods
 * may be called from any thread and hand work to that thread as commands. The application's Ready
 * loop (persist, send, apply, advance) may run on yet another thread.
 *
 * <p>Durability is the application's side of the contract: a Ready's entries, hard state and
 * snapshot must be on stable storage before the messages that depend on them are sent (a leader
 * may send its appends before its own write, thesis 10.2.1), and the application must apply
 * committed entries in order. The node reads its {@code Storage} on the thread that drives it.
 * When that thread also does the writes (a {@code RawNode} loop), reads and writes never overlap;
 * with {@code Node}, or whenever another thread writes, they may, and the {@code Storage} must be
 * thread-safe ({@code MemoryStorage} is).
 *
 * <h2>Numbers</h2>
 *
 * <p>Node IDs, terms and indexes are unsigned 64-bit values held in a {@code long}: compare them
 * with {@link java.lang.Long#compareUnsigned}. ID 0 means "no node"; 2<sup>64</sup>-1 and
 * 2<sup>64</sup>-2 address the local append and apply threads of the async-storage-writes mode
 * ({@link dev.raftboot.RaftUtil}).
 */
package dev.raftboot;
