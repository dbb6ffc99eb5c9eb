/** Auto-configuration of the {@code raft} actuator endpoint. */
@NullMarked
package dev.raftboot.spring.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
