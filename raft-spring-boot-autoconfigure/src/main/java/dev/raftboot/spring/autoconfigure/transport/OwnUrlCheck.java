package dev.raftboot.spring.autoconfigure.transport;

import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.transport.HttpRaftTransport;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Once the application is ready, checks in the background that this node's own entry in {@code
 * raft.peers} reaches this node: the peers send to that URL, so a wrong port, or a peer list that
 * points at another node, would otherwise show only as "no leader known". The outcome is logged
 * (an error naming both URLs or nodes) and shown in {@code /actuator/raft} and the {@code raft}
 * health details.
 */
final class OwnUrlCheck implements ApplicationListener<ApplicationReadyEvent> {

  private static final Logger log = LoggerFactory.getLogger(OwnUrlCheck.class);

  private final ObjectProvider<HttpRaftTransport> transport;
  private final RaftProperties properties;

  /** @param transport the HTTP transport, if the application did not replace it */
  OwnUrlCheck(ObjectProvider<HttpRaftTransport> transport, RaftProperties properties) {
    this.transport = transport;
    this.properties = properties;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    URI ownUrl = properties.getPeers().get(properties.getNodeId());
    HttpRaftTransport http = transport.getIfUnique();
    if (ownUrl == null || http == null) {
      return; // a joining node that does not list itself, or another transport
    }
    Thread t =
        new Thread(
            () -> {
              try {
                http.checkSelf(ownUrl);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                log.warn("could not check this node's own URL {}", ownUrl, e);
              }
            },
            "raft-own-url-check");
    t.setDaemon(true);
    t.start();
  }
}
