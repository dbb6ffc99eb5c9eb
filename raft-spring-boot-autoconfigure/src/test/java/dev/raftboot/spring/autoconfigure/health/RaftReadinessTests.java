package dev.raftboot.spring.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.RaftTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * The readiness and liveness probes of whole applications on a free port, with a node that never
 * learns a leader (its only peer never answers) and with one that leads.
 */
class RaftReadinessTests {

  private static final String PROBES = "management.endpoint.health.probes.enabled=true";

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void nodeWithoutALeaderIsNotReadyButLive() throws Exception {
    try (ConfigurableApplicationContext context =
        start(RaftTestNode.leaderlessNode(dir), PROBES, "raft.health.readiness=true")) {
      HttpResponse<String> readiness = get(context, "/actuator/health/readiness");
      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(json(readiness).get("status").asString()).isEqualTo("OUT_OF_SERVICE");
      // Liveness must not follow the cluster: restarting a node does not bring a quorum back.
      HttpResponse<String> liveness = get(context, "/actuator/health/liveness");
      assertThat(liveness.statusCode()).isEqualTo(200);
      assertThat(json(liveness).get("status").asString()).isEqualTo("UP");
    }
  }

  @Test
  void nodeThatKnowsALeaderIsReady() throws Exception {
    try (ConfigurableApplicationContext context =
        start(RaftTestNode.singleNode(dir), PROBES, "raft.health.readiness=true")) {
      RaftTestNode.awaitLeader(context.getBean(RaftServer.class));
      HttpResponse<String> readiness = get(context, "/actuator/health/readiness");
      assertThat(readiness.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void raftIsAddedToAReadinessGroupTheApplicationConfigured() throws Exception {
    try (ConfigurableApplicationContext context =
        start(
            RaftTestNode.leaderlessNode(dir),
            "management.endpoint.health.group.readiness.include=readinessState,ping",
            "raft.health.readiness=true")) {
      HttpResponse<String> readiness = get(context, "/actuator/health/readiness");
      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(json(readiness).get("components").has("ping")).isTrue();
      assertThat(json(readiness).get("components").get("raft").get("status").asString())
          .isEqualTo("OUT_OF_SERVICE");
    }
  }

  @Test
  void readinessIgnoresRaftUnlessAskedTo() throws Exception {
    try (ConfigurableApplicationContext context = start(RaftTestNode.leaderlessNode(dir), PROBES)) {
      HttpResponse<String> readiness = get(context, "/actuator/health/readiness");
      // The same node as above is ready: only raft made the difference.
      assertThat(readiness.statusCode()).isEqualTo(200);
    }
  }

  private ConfigurableApplicationContext start(String[] node, String... properties) {
    return new SpringApplicationBuilder(App.class)
        .properties(node)
        .properties(
            "server.port=0",
            "management.endpoint.health.show-components=always",
            "spring.main.banner-mode=off")
        .properties(properties)
        .run();
  }

  private HttpResponse<String> get(ConfigurableApplicationContext context, String path)
      throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) {
    return JsonMapper.builder().build().readTree(response.body());
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
