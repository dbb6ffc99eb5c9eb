/**
 * The leader's bookkeeping: the membership in force and, for each member, how far its log is known
 * to match and how fast the leader may send to it.
 *
 * <ul>
 *   <li>{@link dev.raftboot.tracker.TrackerConfig}: the voters (a joint config during a change),
 *       the learners, and the learners-to-be that are still outgoing voters.
 *   <li>{@link dev.raftboot.tracker.Progress}: one follower's {@code match} (the highest index
 *       known to be in its log) and {@code next} (the next index to send), and its flow-control
 *       state ({@link dev.raftboot.tracker.ProgressState}): probing one append at a time until the
 *       follower's position is known, replicating optimistically within an {@link
 *       dev.raftboot.tracker.Inflights} window of unacknowledged appends, or waiting for a
 *       snapshot.
 *   <li>{@link dev.raftboot.tracker.ProgressTracker}: the configuration, every member's progress
 *       and an election's votes, with the quorum questions the leader asks of them (the committed
 *       index, whether a quorum was recently active).
 * </ul>
 *
 * <p>Invariants the leader relies on: {@code match < next} for every member; {@code match} never
 * goes down while this leader leads (a rejection moves {@code next} back, never below {@code
 * match + 1}). The progress (not the membership) is rebuilt on every term and role change, so no
 * follower's progress outlives one leadership.
 *
 * <p>Not thread-safe; the tracker belongs to the thread that drives the node. {@code Status}
 * copies give other threads a consistent view.
 */
package dev.raftboot.tracker;
