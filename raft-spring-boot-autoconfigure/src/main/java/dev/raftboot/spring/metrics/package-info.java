/** Micrometer meters of the raft node and its transport. */
@NullMarked
package dev.raftboot.spring.metrics;

import org.jspecify.annotations.NullMarked;
