/**
 * The {@code raft} actuator endpoint: the node's status, its leader, and membership, leadership
 * and snapshot operations for operators.
 */
@NullMarked
package dev.raftboot.spring.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
