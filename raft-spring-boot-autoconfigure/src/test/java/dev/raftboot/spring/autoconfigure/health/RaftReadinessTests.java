package dev.raftboot.spring.autoconfigure.health;

import static dev.raftboot.spring.test.WholeApplication.get;
import static dev.raftboot.spring.test.WholeApplication.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.test.RaftTestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The readiness and liveness probes of whole applications on a free port, with a node that never
 * learns a leader (its only peer never answers) and with one that leads.
 */
class RaftReadinessTests {

  private static final String PROBES = "management.endpoint.health.probes.enabled=true";

  @TempDir Path dir;

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

  private static JsonNode json(HttpResponse<String> response) {
    return JsonMapper.builder().build().readTree(response.body());
  }
}
