/**
 * Quorum arithmetic: which log index a set of voters has committed, and whether an election is won,
 * lost or still open.
 *
 * <p>{@link dev.raftboot.quorum.MajorityConfig} decides by simple majority: the committed index is
 * the highest index that more than half of its voters have acknowledged, read off the sorted acked
 * indexes rather than by counting per index. {@link dev.raftboot.quorum.JointConfig} pairs the
 * incoming and outgoing voter sets of a membership change (joint consensus, thesis 4.3): a decision
 * needs a majority of each, so its committed index is the smaller of the two and a vote is won only
 * when both halves win. Outside a change the outgoing half is empty, and an empty set agrees with
 * everything (its committed index is 2<sup>64</sup>-1, its vote is won), so the incoming half alone
 * decides.
 *
 * <p>Everything here is pure computation on the values passed in: no I/O, no clock, no knowledge of
 * roles or terms. The acked indexes come through {@link dev.raftboot.quorum.AckedIndexer}, the
 * votes as a map from voter to yes/no. The classes are mutable and not thread-safe (a {@code
 * MajorityConfig} reuses a buffer for its committed-index computation); they belong to the thread
 * that drives the node. Voter IDs and indexes are unsigned 64-bit values, ordered as unsigned.
 */
package dev.raftboot.quorum;
