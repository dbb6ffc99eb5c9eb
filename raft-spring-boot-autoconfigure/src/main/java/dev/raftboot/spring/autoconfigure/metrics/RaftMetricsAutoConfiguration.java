package dev.raftboot.spring.autoconfigure.metrics;

import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.metrics.RaftMetrics;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of {@link RaftMetrics}, a {@link MeterBinder} that Spring Boot's metrics
 * support binds to every meter registry. Needs Micrometer and a {@link RaftServer}; per-peer
 * traffic meters also need a {@link RaftTransport} that implements {@link TransportMetrics}.
 */
@AutoConfiguration(
    after = RaftAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnClass({RaftServer.class, MeterBinder.class})
@ConditionalOnBean(RaftServer.class)
public final class RaftMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  RaftMetrics raftMetrics(RaftServer server, ObjectProvider<RaftTransport> transport) {
    RaftTransport t = transport.getIfUnique();
    return new RaftMetrics(server.metrics(), t instanceof TransportMetrics tm ? tm : null);
  }
}
