package dev.raftboot.spring.test;

import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A transport that shows each outgoing message to a tap, on the caller's thread, before another
 * transport sends it: how a test checks or copies what a node sends on a real or in-memory network.
 * The tap must not block, since the caller is the node's raft loop or persist thread.
 */
public final class TappedTransport implements RaftTransport {

  private final RaftTransport delegate;
  private final Consumer<Message> tap;

  public TappedTransport(RaftTransport delegate, Consumer<Message> tap) {
    this.delegate = delegate;
    this.tap = tap;
  }

  @Override
  public void start(long selfId, Map<Long, URI> peers, TransportListener listener) {
    delegate.start(selfId, peers, listener);
  }

  @Override
  public void send(Message message) {
    tap.accept(message);
    delegate.send(message);
  }

  @Override
  public void updatePeers(Map<Long, URI> peers) {
    delegate.updatePeers(peers);
  }

  @Override
  public void stop() {
    delegate.stop();
  }
}
