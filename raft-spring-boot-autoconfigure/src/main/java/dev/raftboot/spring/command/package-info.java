/**
 * Replicated method calls: {@link dev.raftboot.spring.command.ReplicatedCommand} methods whose
 * calls go through the raft log and run on every node, and {@link
 * dev.raftboot.spring.command.ReplicatedQuery} methods that read local state at a chosen
 * consistency. The {@link dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor} proxies
 * the beans that declare them, the {@link dev.raftboot.spring.command.ReplicatedCallDispatcher}
 * proposes the calls, and the {@link dev.raftboot.spring.command.ReplicatedCommandApplier} invokes
 * them when they are applied. Arguments travel through a {@link
 * dev.raftboot.spring.command.CommandCodec}, JSON by default.
 */
@NullMarked
package dev.raftboot.spring.command;

import org.jspecify.annotations.NullMarked;
