package dev.raftboot.spring.test;

import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.net.URI;
import java.util.Map;

/** A transport that sends nothing: enough for a single-node cluster, or a node that never sees a leader. */
public class NoNetworkTransport implements RaftTransport {

  @Override
  public void start(long selfId, Map<Long, URI> peers, TransportListener listener) {}

  @Override
  public void send(Message message) {}

  @Override
  public void updatePeers(Map<Long, URI> peers) {}

  @Override
  public void stop() {}
}
