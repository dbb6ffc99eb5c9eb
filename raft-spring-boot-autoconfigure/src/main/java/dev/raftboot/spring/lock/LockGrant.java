package dev.raftboot.spring.lock;

/**
 * One live lease in the replicated {@link LockTable}: who holds lock {@code name}, under which
 * fencing token, and since which revision its time to live runs.
 *
 * @param name the lock
 * @param owner the owner session the lock was granted to (unique per acquisition)
 * @param token the fencing token: the table's revision when the lock was granted; larger than the
 *     token of every earlier grant of any lock
 * @param renewedAt the revision of the grant or of the latest renewal; an expiry names it, so an
 *     expiry decided before a renewal cannot free the renewed lease
 * @param ttlMillis the time to live of the grant or of the latest renewal
 */
public record LockGrant(String name, String owner, long token, long renewedAt, long ttlMillis) {}
