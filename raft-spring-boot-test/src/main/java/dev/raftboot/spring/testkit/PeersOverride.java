package dev.raftboot.spring.testkit;

import dev.raftboot.spring.autoconfigure.RaftProperties;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Replaces {@code raft.peers} after binding. Spring binds a map by merging the entries of every
 * property source, so no property can remove a peer that {@code application.yml} lists; this is
 * the one way a test can say "exactly these members".
 */
public final class PeersOverride implements BeanPostProcessor {

  private final Function<Map<Long, URI>, Map<Long, URI>> peers;

  private PeersOverride(Function<Map<Long, URI>, Map<Long, URI>> peers) {
    this.peers = peers;
  }

  /** Exactly {@code peers}, whatever the configuration says. */
  public static PeersOverride exactly(Map<Long, URI> peers) {
    Map<Long, URI> copy = Map.copyOf(peers);
    return new PeersOverride(bound -> new LinkedHashMap<>(copy));
  }

  /** Only {@code nodeId}, with the URL it was bound to. */
  static PeersOverride keepOnly(long nodeId) {
    return new PeersOverride(bound -> {
      Map<Long, URI> one = new LinkedHashMap<>();
      one.put(nodeId, bound.getOrDefault(nodeId, URI.create("http://localhost")));
      return one;
    });
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    // Binding happens before initialization, so the bound map is complete here.
    if (bean instanceof RaftProperties properties) {
      properties.setPeers(peers.apply(properties.getPeers()));
    }
    return bean;
  }
}
