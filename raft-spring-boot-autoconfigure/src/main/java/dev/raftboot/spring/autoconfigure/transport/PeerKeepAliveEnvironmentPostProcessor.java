package dev.raftboot.spring.autoconfigure.transport;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes {@code server.tomcat.max-keep-alive-requests=-1} (no limit) the default of a raft node,
 * unless the application sets the property itself. Peers reach each other on the application's
 * own connector, and each sender keeps one connection per peer busy with several requests per
 * replicated command plus heartbeats: under Tomcat's default of 100 requests per connection it
 * would reconnect (and over HTTPS, handshake again) every 100 requests. A connector cannot tell
 * peer requests from the application's, so the default covers the whole connector; a limit is a
 * fairness measure of thread-per-connection servers, which Tomcat's NIO connector is not.
 *
 * <p>Added as the last property source, so every source of the application (its properties,
 * profiles, environment variables, {@code SpringApplication.setDefaultProperties}) wins over it.
 */
public final class PeerKeepAliveEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

  static final String PROPERTY = "server.tomcat.max-keep-alive-requests";
  static final String SOURCE_NAME = "raftPeerKeepAliveDefault";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (!environment.getProperty("raft.enabled", Boolean.class, true) || environment.containsProperty(PROPERTY)) {
      return;
    }
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, Map.of(PROPERTY, "-1")));
  }

  /** After the application's configuration data is loaded, so that its own setting is seen. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
