/**
 * Auto-configuration of raftboot's replicated locks, and of their Spring Integration and ShedLock
 * adapters when those libraries are on the class path.
 */
@NullMarked
package dev.raftboot.spring.autoconfigure.lock;

import org.jspecify.annotations.NullMarked;
