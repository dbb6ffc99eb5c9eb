package dev.raftboot.spring.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A whole Spring Boot application (all auto-configuration, import filters included) with a web
 * server on a free port and a raft node on a no-op transport, for tests of what a user's application
 * gets from the starter.
 */
public final class WholeApplication {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private WholeApplication() {}

  /** Starts the application with the node's properties and the test's own. */
  public static ConfigurableApplicationContext start(String[] node, String... properties) {
    return new SpringApplicationBuilder(App.class)
        .properties(node)
        .properties(
            "server.port=0",
            "management.endpoint.health.show-components=always",
            "spring.main.banner-mode=off")
        .properties(properties)
        .run();
  }

  /** GETs {@code path} from the application's web server. */
  public static HttpResponse<String> get(ConfigurableApplicationContext context, String path)
      throws IOException, InterruptedException {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    NoNetworkTransport raftTransport() {
      return new NoNetworkTransport();
    }
  }
}
