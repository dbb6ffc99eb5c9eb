package dev.raftboot.spring.autoconfigure.web;

import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.web.RaftExceptionHandler;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Auto-configuration of the {@link RaftExceptionHandler}: in a servlet web application with Spring
 * MVC and a {@link RaftServer}, replication failures of controllers answer as problem details.
 * Switched off with {@code raft.web.problem-details=false}; backs off when the application defines
 * its own {@link RaftExceptionHandler} bean.
 */
@AutoConfiguration(after = RaftAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, RaftServer.class})
@ConditionalOnBooleanProperty(name = "raft.web.problem-details", matchIfMissing = true)
@EnableConfigurationProperties(RaftWebProperties.class)
public final class RaftWebAutoConfiguration {

  /** Used when no {@code raft.*} properties are bound (an application-defined RaftServer). */
  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  @Bean
  @ConditionalOnBean(RaftServer.class)
  @ConditionalOnMissingBean
  RaftExceptionHandler raftExceptionHandler(
      RaftServer server, ObjectProvider<RaftProperties> properties) {
    RaftProperties p = properties.getIfAvailable();
    // A new leader is normally known within one election timeout.
    Duration retryAfter =
        p == null ? DEFAULT_RETRY_AFTER : p.getTickInterval().multipliedBy(p.getElectionTick());
    return new RaftExceptionHandler(server, retryAfter);
  }
}
