package dev.raftboot.spring.api;

/**
 * The leader's view of one member's replication.
 *
 * @param match the highest index known to be replicated there
 * @param next the next index to send
 * @param state {@code StateProbe}, {@code StateReplicate} or {@code StateSnapshot}
 * @param recentActive whether it answered within the last election timeout
 * @param reachable false if the transport failed to reach it recently
 * @param inflight append messages sent and not yet acknowledged
 */
public record PeerProgress(
    long match, long next, String state, boolean recentActive, boolean reachable, int inflight) {}
