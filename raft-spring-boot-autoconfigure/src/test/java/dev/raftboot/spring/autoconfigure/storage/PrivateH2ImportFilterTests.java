package dev.raftboot.spring.autoconfigure.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.RaftTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whole applications (auto-configuration with its import filters, a web server on a free port): the
 * H2 driver the starter brings for raft's log does not become an application DataSource, and an
 * application's own database is still used.
 */
class PrivateH2ImportFilterTests {

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void applicationWithoutADatabaseGetsNoDataSourceAndNoDbHealth() throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      assertThat(context.getBeanNamesForType(DataSource.class)).isEmpty();
      assertThat(context.getBean(RaftStorageDataSource.class).isDedicated()).isTrue();
      JsonNode components = healthComponents(context);
      assertThat(components.has("raft")).isTrue();
      assertThat(components.has("db")).isFalse();
    }
  }

  @Test
  void applicationsOwnDatabaseIsStillCreatedAndHoldsTheLog() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("app").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    try (ConfigurableApplicationContext context = start("spring.datasource.url=" + url)) {
      assertThat(context.getBeanNamesForType(DataSource.class)).hasSize(1);
      RaftStorageDataSource log = context.getBean(RaftStorageDataSource.class);
      assertThat(log.getDataSource()).isSameAs(context.getBean(DataSource.class));
      assertThat(healthComponents(context).has("db")).isTrue();
    }
  }

  @Test
  void inMemoryApplicationDatabaseOnRequest() throws Exception {
    try (ConfigurableApplicationContext context =
        start("spring.datasource.embedded-database-connection=h2")) {
      assertThat(context.getBeanNamesForType(DataSource.class)).hasSize(1);
      // An in-memory database never holds the log: raft keeps its own H2 file.
      assertThat(context.getBean(RaftStorageDataSource.class).isDedicated()).isTrue();
    }
  }

  private ConfigurableApplicationContext start(String... properties) {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .properties(RaftTestNode.singleNode(dir.resolve("raft")))
            .properties(
                "server.port=0",
                "management.endpoint.health.show-components=always",
                "spring.main.banner-mode=off")
            .properties(properties)
            .run();
    return context;
  }

  private JsonNode healthComponents(ConfigurableApplicationContext context) throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JsonMapper.builder().build().readTree(response.body()).get("components");
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
