/**
 * Auto-configuration of the raft node: {@link dev.raftboot.spring.autoconfigure.RaftProperties}
 * ({@code raft.*}: identity, peers and the raft algorithm's settings), {@link
 * dev.raftboot.spring.autoconfigure.RaftSnapshotProperties} ({@code raft.snapshot.*}), the checks
 * of every {@code raft.*} group, the {@code RaftServer} with its {@link
 * dev.raftboot.spring.autoconfigure.RaftConfigCustomizer} hook, and {@code @ReplicatedCommand}
 * dispatch. Each other concern has its auto-configuration and properties in a sub-package:
 * storage, transport, actuate, health, metrics, web and lock.
 */
@NullMarked
package dev.raftboot.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
