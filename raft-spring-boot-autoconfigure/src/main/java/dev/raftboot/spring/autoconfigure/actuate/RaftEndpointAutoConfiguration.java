package dev.raftboot.spring.autoconfigure.actuate;

import dev.raftboot.spring.actuate.endpoint.RaftEndpoint;
import dev.raftboot.spring.actuate.endpoint.RaftEndpointWebExtension;
import dev.raftboot.spring.actuate.endpoint.SnapshotRequestFilter;
import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.runtime.RaftServer;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import dev.raftboot.spring.transport.PeerChecks;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of the {@link RaftEndpoint} ({@code /actuator/raft}) and its HTTP status
 * mapping. Needs the actuator on the classpath, a {@link RaftServer}, and the endpoint to be
 * available: accessible ({@code management.endpoint.raft.access}, {@code read-only} by default) and
 * exposed ({@code management.endpoints.web.exposure.include=raft}).
 */
@AutoConfiguration(after = RaftAutoConfiguration.class)
@ConditionalOnClass({RaftServer.class, RaftEndpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(RaftEndpoint.class)
@EnableConfigurationProperties(RaftManagementProperties.class)
public final class RaftEndpointAutoConfiguration {

  /** Used when no {@code raft.*} properties are bound (an application-defined RaftServer). */
  private static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** Spring Security's servlet filter chain; when the application has one, writes need a role. */
  private static final String SECURITY_FILTER_CHAIN = "org.springframework.security.web.SecurityFilterChain";

  @Bean
  @ConditionalOnBean(RaftServer.class)
  @ConditionalOnMissingBean
  RaftEndpoint raftEndpoint(
      RaftServer server,
      ObjectProvider<RaftProperties> properties,
      RaftManagementProperties management,
      ObjectProvider<PeerChecks> peerChecks,
      ListableBeanFactory beans) {
    return new RaftEndpoint(
        server,
        operationTimeout(properties.getIfAvailable()),
        peerChecks.getIfUnique(),
        adminRole(management, beans));
  }

  /**
   * The role writes need: {@code raft.management.admin-role} when the application configures
   * Spring Security for its web requests, none otherwise (the endpoint's access setting is then
   * the only gate, and the operator who opened it is responsible for who reaches it).
   */
  static @Nullable String adminRole(RaftManagementProperties management, ListableBeanFactory beans) {
    ClassLoader loader = beans instanceof ConfigurableBeanFactory c ? c.getBeanClassLoader() : null;
    if (!ClassUtils.isPresent(SECURITY_FILTER_CHAIN, loader)) {
      return null;
    }
    Class<?> chain = ClassUtils.resolveClassName(SECURITY_FILTER_CHAIN, loader);
    if (beans.getBeanNamesForType(chain, true, false).length == 0) {
      return null;
    }
    String role = management.getAdminRole();
    return role.startsWith("ROLE_") ? role.substring("ROLE_".length()) : role;
  }

  @Bean
  @ConditionalOnBean(RaftEndpoint.class)
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
  RaftEndpointWebExtension raftEndpointWebExtension(RaftEndpoint endpoint) {
    return new RaftEndpointWebExtension(endpoint);
  }

  /** Lets a bodiless {@code POST /actuator/raft/snapshot} through, as the docs show it. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "org.springframework.web.filter.OncePerRequestFilter")
  static final class SnapshotRequestConfiguration {

    @Bean
    @ConditionalOnBean(RaftServer.class)
    @ConditionalOnAvailableEndpoint(endpoint = RaftEndpoint.class, exposure = EndpointExposure.WEB)
    FilterRegistrationBean<SnapshotRequestFilter> raftSnapshotRequestFilter(ObjectProvider<WebEndpointProperties> web) {
      WebEndpointProperties properties = web.getIfAvailable(WebEndpointProperties::new);
      SnapshotRequestFilter filter = new SnapshotRequestFilter(properties.getBasePath());
      FilterRegistrationBean<SnapshotRequestFilter> registration = new FilterRegistrationBean<>(filter);
      registration.setName("raftSnapshotRequestFilter");
      return registration;
    }
  }

  /**
   * The node fails a timed-out command at the first tick after its deadline, so the endpoint waits
   * a little longer than that before it gives up itself: the node's answer says whether the
   * command was applied, the endpoint's own timeout cannot.
   */
  static Duration operationTimeout(@Nullable RaftProperties properties) {
    if (properties == null) {
      return DEFAULT_COMMAND_TIMEOUT.plusSeconds(2);
    }
    return properties
        .getCommandTimeout()
        .plus(properties.getTickInterval().multipliedBy(2))
        .plusMillis(500);
  }
}
