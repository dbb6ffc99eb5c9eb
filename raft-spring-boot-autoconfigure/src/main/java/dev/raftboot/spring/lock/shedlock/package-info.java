/** ShedLock on raftboot: {@link dev.raftboot.spring.lock.shedlock.RaftLockProvider}. */
@NullMarked
package dev.raftboot.spring.lock.shedlock;

import org.jspecify.annotations.NullMarked;
