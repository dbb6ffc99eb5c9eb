package dev.raftboot.spring.lock;

import java.util.Collection;

/**
 * Node-local observer of the {@link LockTable}: told on the apply thread, in log order, whenever a
 * lease starts or is renewed, and whenever a lock becomes free. Not replicated state: the {@link
 * LeaseExpirer} starts its timers here and {@link RaftLocks} wakes its waiters. Implementations
 * must be quick and must not call replicated methods synchronously.
 */
public interface LockTableListener {

  /** {@code grant} was applied on this node: granted, re-acquired or renewed. */
  default void leaseStarted(LockGrant grant) {}

  /** Lock {@code name} was released or expired on this node. */
  default void lockFreed(String name) {}

  /** This node's table was replaced from a snapshot; {@code grants} are all live leases now. */
  default void restored(Collection<LockGrant> grants) {}
}
