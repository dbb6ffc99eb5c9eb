package dev.raftboot.spring.transport;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A real Boot web application (embedded Tomcat on a random loopback port, with Spring MVC beside
 * it as in a user's application) serving the peer servlet for one stand-in node. Only the auto-configurations the endpoint needs are imported,
 * so the tests do not depend on what else the module auto-configures.
 */
final class PeerApp implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final String scheme;

  private PeerApp(ConfigurableApplicationContext context, String scheme) {
    this.context = context;
    this.scheme = scheme;
  }

  /** Starts serving {@code receiver}; {@code properties} are added (e.g. {@code server.ssl.*}). */
  static PeerApp start(RaftMessageReceiver receiver, HttpTransportSettings settings, String... properties) {
    List<String> props = new ArrayList<>();
    props.add("server.port=0");
    props.add("server.address=127.0.0.1");
    props.add("spring.main.banner-mode=off");
    props.add("spring.main.log-startup-info=false");
    props.add("raft.transport.path-prefix=" + settings.pathPrefix());
    props.addAll(List.of(properties));
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(Config.class)
            .web(WebApplicationType.SERVLET)
            .registerShutdownHook(false)
            .properties(props.toArray(String[]::new))
            .initializers(
                ctx -> {
                  ctx.getBeanFactory().registerSingleton("raftMessageReceiver", receiver);
                  ctx.getBeanFactory().registerSingleton("httpTransportSettings", settings);
                })
            .run();
    boolean tls = props.stream().anyMatch(p -> p.startsWith("server.ssl.bundle="));
    return new PeerApp(context, tls ? "https" : "http");
  }

  int port() {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  /** The node's base URL, as peers know it. */
  URI url() {
    return URI.create(scheme + "://localhost:" + port());
  }

  ConfigurableApplicationContext context() {
    return context;
  }

  @Override
  public void close() {
    context.close();
  }

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration({
    PropertyPlaceholderAutoConfiguration.class,
    SslAutoConfiguration.class,
    TomcatServletWebServerAutoConfiguration.class,
    DispatcherServletAutoConfiguration.class,
    WebMvcAutoConfiguration.class,
    HttpMessageConvertersAutoConfiguration.class
  })
  static class Config {

    @Bean
    ServletRegistrationBean<RaftPeerServlet> raftPeerServlet(
        RaftMessageReceiver receiver, HttpTransportSettings settings) {
      return new ServletRegistrationBean<>(
          new RaftPeerServlet(receiver, settings), RaftPeerServlet.mappings(settings));
    }
  }
}
