package dev.raftboot.spring.autoconfigure.health;

import dev.raftboot.spring.health.RaftHealthIndicator;
import dev.raftboot.spring.health.RaftReadinessGroupPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Adds the {@code raft} health to the {@code readiness} health group when {@code
 * raft.health.readiness=true}. Ordered after Boot's availability probes, whose post-processor
 * creates that group, so that this one (of the same precedence) runs after it.
 */
@AutoConfiguration(
    after = RaftHealthAutoConfiguration.class,
    afterName =
        "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(HealthEndpointGroupsPostProcessor.class)
@ConditionalOnBean(RaftHealthIndicator.class)
@ConditionalOnBooleanProperty("raft.health.readiness")
@EnableConfigurationProperties(RaftHealthProperties.class)
public final class RaftReadinessAutoConfiguration {

  @Bean
  RaftReadinessGroupPostProcessor raftReadinessGroupPostProcessor() {
    return new RaftReadinessGroupPostProcessor();
  }
}
