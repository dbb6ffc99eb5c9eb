package dev.raftboot.bench.server;

import dev.raftboot.bench.cluster.EmbeddedLoadServlet;
import dev.raftboot.spring.api.RaftOperations;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The client endpoints: {@link PutServlet} for the load JVM's HTTP clients and {@link
 * EmbeddedLoadServlet} for the workload run inside the leader. Everything else (raft node, H2
 * log, HTTP peer transport, replicated commands) comes from the starter's auto-configuration with
 * its defaults.
 */
@Configuration(proxyBeanMethods = false)
class BenchServerConfiguration {

  @Bean
  ServletRegistrationBean<PutServlet> putServlet(
      BenchKvStore store, RaftOperations raft, @Value("${bench.put:async}") String put) {
    PutServlet.Mode mode;
    try {
      mode = PutServlet.Mode.valueOf(put.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bench.put must be async, sync or none, not " + put, e);
    }
    ServletRegistrationBean<PutServlet> bean =
        new ServletRegistrationBean<>(new PutServlet(store, raft, mode), "/kv/*");
    bean.setAsyncSupported(true);
    bean.setLoadOnStartup(1);
    return bean;
  }

  @Bean
  ServletRegistrationBean<EmbeddedLoadServlet> embeddedLoadServlet(BenchKvStore store) {
    return new ServletRegistrationBean<>(new EmbeddedLoadServlet(store), "/bench/run");
  }
}
