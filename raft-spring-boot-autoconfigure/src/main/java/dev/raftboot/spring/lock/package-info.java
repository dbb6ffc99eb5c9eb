/**
 * Distributed locks and leases with fencing tokens, as replicated state: the {@link
 * dev.raftboot.spring.lock.LockTable} applied by every node, the {@link
 * dev.raftboot.spring.lock.LeaseExpirer} that ends leases through the log, {@link
 * dev.raftboot.spring.lock.RaftLocks} for holders, {@link dev.raftboot.spring.lock.LeaderWork} for
 * work that runs on one node at a time, and {@link dev.raftboot.spring.lock.JdbcFence} to refuse
 * stale holders' writes. The safety argument is in {@code src-docs/locks.md}.
 */
@NullMarked
package dev.raftboot.spring.lock;

import org.jspecify.annotations.NullMarked;
