package dev.raftboot.spring.autoconfigure;

import dev.raftboot.Config;

/**
 * Customizes the raft {@link Config} that {@link RaftAutoConfiguration} builds from {@code raft.*}
 * properties, before the node starts. Beans of this type are applied in {@code @Order}, after the
 * properties, so a customizer can override them or set what has no property (for example {@link
 * Config#disableProposalForwarding}). The node sets {@code id}, {@code storage}, {@code applied}
 * and {@code logger} itself when it starts, whatever a customizer set there. Called once, on the
 * thread that creates the {@code RaftServer} bean; the Config is not read again after the node
 * started.
 */
@FunctionalInterface
public interface RaftConfigCustomizer {

  /** Changes {@code config} in place. */
  void customize(Config config);
}
