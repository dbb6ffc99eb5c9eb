/** Auto-configuration of the {@code raft} health indicator. */
@NullMarked
package dev.raftboot.spring.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
