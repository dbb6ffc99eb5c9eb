package dev.raftboot.spring.autoconfigure.actuate;

import dev.raftboot.spring.actuate.endpoint.RaftEndpoint;
import dev.raftboot.spring.actuate.endpoint.RaftEndpointWebExtension;
import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.runtime.RaftServer;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link RaftEndpoint} ({@code /actuator/raft}) and its HTTP status
 * mapping. Needs the actuator on the classpath, a {@link RaftServer}, and the endpoint to be
 * available: accessible ({@code management.endpoint.raft.access}, not {@code none}) and exposed
 * ({@code management.endpoints.web.exposure.include=raft}).
 */
@AutoConfiguration(after = RaftAutoConfiguration.class)
@ConditionalOnClass({RaftServer.class, RaftEndpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(RaftEndpoint.class)
public final class RaftEndpointAutoConfiguration {

  /** Used when no {@code raft.*} properties are bound (an application-defined RaftServer). */
  private static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  @Bean
  @ConditionalOnBean(RaftServer.class)
  @ConditionalOnMissingBean
  RaftEndpoint raftEndpoint(RaftServer server, ObjectProvider<RaftProperties> properties) {
    return new RaftEndpoint(server, operationTimeout(properties.getIfAvailable()));
  }

  @Bean
  @ConditionalOnBean(RaftEndpoint.class)
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
  RaftEndpointWebExtension raftEndpointWebExtension(RaftEndpoint endpoint) {
    return new RaftEndpointWebExtension(endpoint);
  }

  /**
   * The node expires timed-out commands every ten ticks, so the endpoint waits that much (and a
   * little) longer than the command timeout before it gives up itself.
   */
  static Duration operationTimeout(@Nullable RaftProperties properties) {
    if (properties == null) {
      return DEFAULT_COMMAND_TIMEOUT.plusSeconds(2);
    }
    return properties
        .getCommandTimeout()
        .plus(properties.getTickInterval().multipliedBy(20))
        .plusMillis(500);
  }
}
