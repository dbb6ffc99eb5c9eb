package dev.raftboot.bench.server;

import dev.raftboot.spring.runtime.RaftOperations;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The client endpoint. Everything else (raft node, H2 log, HTTP peer transport, replicated
 * commands) comes from the starter's auto-configuration with its defaults.
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
}
