/**
 * Auto-configuration of the HTTP peer transport: {@link
 * dev.raftboot.spring.autoconfigure.transport.RaftTransportProperties} ({@code raft.transport.*}),
 * the sending {@link dev.raftboot.spring.transport.HttpRaftTransport} with its {@link
 * dev.raftboot.spring.autoconfigure.transport.RaftPeerHttpClientCustomizer} hook, the receiving
 * controller, the startup policy for peer authentication, and the check of this node's own URL.
 */
@NullMarked
package dev.raftboot.spring.autoconfigure.transport;

import org.jspecify.annotations.NullMarked;
