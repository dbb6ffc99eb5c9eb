/**
 * Auto-configuration of raftboot: the {@code raft.*} configuration properties and their checks.
 * Each concern (storage, and later the node runtime, transport and actuator) has its own
 * auto-configuration in a sub-package.
 */
@NullMarked
package dev.raftboot.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
