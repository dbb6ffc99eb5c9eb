/** The {@code raft} health indicator. */
@NullMarked
package dev.raftboot.spring.health;

import org.jspecify.annotations.NullMarked;
