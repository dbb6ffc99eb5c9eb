/**
 * Membership changes: the rules for turning one configuration into the next, and for rebuilding a
 * configuration from a {@code ConfState}.
 *
 * <p>{@link dev.raftboot.confchange.Changer} computes the result of a change without touching the
 * tracker it was given; the caller installs the returned configuration and progress map. A change
 * of one voter may be made directly ({@code simple}, thesis 4.1: any two majorities of two
 * configurations that differ by one voter overlap). Anything larger goes through joint consensus
 * (thesis 4.3): {@code enterJoint} makes the current voters the outgoing half, so that every
 * decision needs a majority of the old and of the new voters, and {@code leaveJoint} later drops
 * the outgoing half. A voter that becomes a learner stays an outgoing voter until the joint config
 * is left ({@code learnersNext}), so it keeps counting for the old majority while that majority
 * still decides. Invalid changes fail with {@link dev.raftboot.confchange.ConfChangeException} and
 * etcd's message.
 *
 * <p>{@link dev.raftboot.confchange.Restore} replays a {@code ConfState} (from a snapshot or from
 * storage on restart) as a sequence of such changes, so a restored configuration obeys the same
 * rules as one built step by step. {@link dev.raftboot.confchange.ConfChanges} interprets the two
 * conf-change message versions.
 *
 * <p>A configuration takes effect when its entry is applied, not when it is appended or committed;
 * the leader refuses a new change while an earlier one may be unapplied (unless that check is
 * disabled in the {@code Config}). The classes here hold no state beyond the call and belong to
 * the thread that drives the node.
 */
package dev.raftboot.confchange;
