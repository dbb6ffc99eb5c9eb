/** Auto-configuration of the raft node's Micrometer meters. */
@NullMarked
package dev.raftboot.spring.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
