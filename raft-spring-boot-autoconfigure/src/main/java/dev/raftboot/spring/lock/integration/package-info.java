/**
 * Spring Integration on raftboot: {@link dev.raftboot.spring.lock.integration.RaftLockRegistry},
 * a {@code LockRegistry} of {@code DistributedLock}s.
 */
@NullMarked
package dev.raftboot.spring.lock.integration;

import org.jspecify.annotations.NullMarked;
