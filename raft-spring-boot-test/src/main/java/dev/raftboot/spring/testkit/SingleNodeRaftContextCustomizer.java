package dev.raftboot.spring.testkit;

import dev.raftboot.spring.runtime.RaftServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/** Applies {@link SingleNodeRaft} to a test's application context before it is refreshed. */
final class SingleNodeRaftContextCustomizer implements ContextCustomizer {

  /** Generous: the machines that run test suites are often shared. */
  private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
    ConfigurableEnvironment env = context.getEnvironment();
    if (!env.getProperty("raft.enabled", Boolean.class, true)) {
      throw new IllegalStateException(
          "@SingleNodeRaft runs a real one-node cluster, but raft.enabled=false turns raft off;"
              + " remove raft.enabled=false from this test's configuration, or remove @SingleNodeRaft");
    }
    long nodeId = env.getProperty("raft.node-id", Long.class, 0L);
    if (nodeId <= 0) {
      nodeId = 1;
    }
    ThrowAwayDirectory dir = ThrowAwayDirectory.create("raft-single-node-");
    // Registered first, destroyed last: after the DataSource has closed the database files.
    context.getBeanFactory().registerSingleton("raftSingleNodeDirectory", dir);
    ((org.springframework.beans.factory.support.DefaultSingletonBeanRegistry) context.getBeanFactory())
        .registerDisposableBean("raftSingleNodeDirectory", dir);

    Map<String, Object> properties = new LinkedHashMap<>(TestNodeProperties.storage(dir.path()));
    properties.put("raft.node-id", nodeId);
    properties.put("raft.join", false);
    properties.put("raft.tick-interval", "10ms");
    if (env.getProperty("raft.peers." + nodeId) == null) {
      // Keeps the binder's validation happy; the map is replaced after binding anyway.
      properties.put("raft.peers." + nodeId, "http://localhost");
    }
    env.getPropertySources().addFirst(new MapPropertySource("raftSingleNode", properties));
    context.getBeanFactory().addBeanPostProcessor(PeersOverride.keepOnly(nodeId));
    context.addApplicationListener(
        (ContextRefreshedEvent event) -> {
          if (event.getApplicationContext() == context) {
            RaftServer server = context.getBean(RaftServer.class);
            Waits.until(
                LEADER_TIMEOUT,
                () -> RaftServers.leadsWithConfiguration(server),
                () -> "raft node " + server.nodeId() + " of a one-voter cluster did not become leader: "
                    + server.status());
          }
        });
  }

  // One configuration for every annotated class, so that Spring's context cache can share it.
  @Override
  public boolean equals(Object other) {
    return other instanceof SingleNodeRaftContextCustomizer;
  }

  @Override
  public int hashCode() {
    return SingleNodeRaftContextCustomizer.class.hashCode();
  }
}
