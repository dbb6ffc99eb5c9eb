package dev.raftboot.spring.autoconfigure.health;

import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.health.RaftHealthIndicator;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.transport.PeerChecks;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link RaftHealthIndicator} (health contributor {@code raft}). Needs
 * {@code spring-boot-health} and a {@link RaftServer}; switched off with {@code
 * management.health.raft.enabled=false}.
 */
@AutoConfiguration(after = RaftAutoConfiguration.class)
@ConditionalOnClass({RaftServer.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(RaftServer.class)
@ConditionalOnEnabledHealthIndicator("raft")
public final class RaftHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(value = RaftHealthIndicator.class, name = "raftHealthIndicator")
  RaftHealthIndicator raftHealthIndicator(RaftServer server, ObjectProvider<PeerChecks> peerChecks) {
    return new RaftHealthIndicator(server, peerChecks.getIfUnique());
  }
}
