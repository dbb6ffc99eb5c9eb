package dev.raftboot.bench.server;

import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.runtime.RaftOperations;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.transport.HttpRaftTransport;
import dev.raftboot.spring.transport.HttpTransportSettings;
import dev.raftboot.spring.transport.RaftPeerController;
import dev.raftboot.spring.transport.RaftTransport;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The client endpoint, and the HTTP peer transport wired from {@code raft.transport.*} (for as
 * long as the starter does not configure one itself).
 */
@Configuration(proxyBeanMethods = false)
class BenchServerConfiguration {

  @Bean
  ServletRegistrationBean<PutServlet> putServlet(BenchKvStore store, RaftOperations raft) {
    ServletRegistrationBean<PutServlet> bean =
        new ServletRegistrationBean<>(new PutServlet(store, raft), "/kv/*");
    bean.setAsyncSupported(true);
    bean.setLoadOnStartup(1);
    return bean;
  }

  @Bean
  static HttpTransportSettings benchTransportSettings(RaftProperties properties) {
    RaftProperties.Transport t = properties.getTransport();
    return HttpTransportSettings.defaults()
        .withPathPrefix(t.getPathPrefix())
        .withRequestTimeout(t.getRequestTimeout())
        .withQueueSize(t.getQueueSize())
        .withMaxMessageSize(t.getMaxMessageSize().toBytes())
        .withToken(t.getToken());
  }

  @Bean
  @ConditionalOnMissingBean(RaftTransport.class)
  HttpRaftTransport benchRaftTransport(RaftProperties properties, HttpTransportSettings settings) {
    return new HttpRaftTransport(
        properties.getClusterId(), settings, (org.springframework.boot.ssl.SslBundle) null);
  }

  @Bean
  @ConditionalOnMissingBean(RaftPeerController.class)
  RaftPeerController benchRaftPeerController(RaftServer server, HttpTransportSettings settings) {
    return new RaftPeerController(server, settings);
  }
}
