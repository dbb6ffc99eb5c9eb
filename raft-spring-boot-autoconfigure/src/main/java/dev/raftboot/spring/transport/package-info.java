/**
 * How raft messages travel between nodes: the {@link dev.raftboot.spring.transport.RaftTransport}
 * contract, its HTTP implementation {@link dev.raftboot.spring.transport.HttpRaftTransport} (one
 * sender thread, bounded queue and kept-alive connection per peer, batched requests) and the
 * inbound servlet {@link dev.raftboot.spring.transport.RaftPeerServlet} that validates requests
 * and hands their messages to a {@link dev.raftboot.spring.transport.RaftMessageReceiver}. Peer
 * requests are signed with the cluster secret ({@link dev.raftboot.spring.transport.PeerAuthenticator}),
 * which never travels, and nothing is sent to a peer before it proved its identity ({@link
 * dev.raftboot.spring.transport.PeerCheck}).
 */
@NullMarked
package dev.raftboot.spring.transport;

import org.jspecify.annotations.NullMarked;
