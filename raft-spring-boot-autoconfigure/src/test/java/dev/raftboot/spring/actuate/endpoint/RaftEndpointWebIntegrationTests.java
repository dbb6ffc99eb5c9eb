package dev.raftboot.spring.actuate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.test.RaftTestNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The endpoint and the health contributor over HTTP, in a web application on a random port. */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
      "raft.node-id=1",
      "raft.peers.1=http://localhost:8081",
      "raft.tick-interval=10ms",
      "management.endpoints.web.exposure.include=raft,health",
      "management.endpoint.raft.access=unrestricted",
      "management.endpoint.health.show-details=always",
      "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
    })
class RaftEndpointWebIntegrationTests extends SingleNodeWebApp {

  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeEach
  void leaderElected() {
    RaftTestNode.awaitLeader(server);
  }

  @Test
  void getRaftReturnsTheNodeStatusAsJson() throws Exception {
    HttpResponse<String> response = get("/actuator/raft");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("id").asLong()).isEqualTo(1);
    assertThat(body.get("role").asString()).isEqualTo("leader");
    assertThat(body.get("leader").get("url").asString()).isEqualTo("http://localhost:8081");
    assertThat(body.get("configuration").get("voters").get(0).asLong()).isEqualTo(1);
    assertThat(body.get("progress").get("1").get("state").asString()).isEqualTo("replicate");
  }

  @Test
  void getRaftLeaderReturnsTheLeaderAsJson() throws Exception {
    HttpResponse<String> response = get("/actuator/raft/leader");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("id").asLong()).isEqualTo(1);
    assertThat(body.get("url").asString()).isEqualTo("http://localhost:8081");
    assertThat(body.get("local").asBoolean()).isTrue();
  }

  @Test
  void getAnUnknownResourceIsNotFound() throws Exception {
    assertThat(get("/actuator/raft/followers").statusCode()).isEqualTo(404);
  }

  @Test
  void transferringLeadershipToAnUnknownNodeIsABadRequest() throws Exception {
    HttpResponse<String> response = post("/actuator/raft/leader", "{\"id\": 9}");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("operation").asString()).isEqualTo("transfer-leadership");
    assertThat(body.get("outcome").asString()).isEqualTo("INVALID");
    assertThat(body.get("message").asString()).isEqualTo("node 9 is not a member of the cluster");
  }

  @Test
  void addingAndRemovingALearnerOverHttp() throws Exception {
    HttpResponse<String> added = post("/actuator/raft/learners", "{\"id\": 2, \"url\": \"http://localhost:8082\"}");
    assertThat(added.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(added.body());
    assertThat(body.get("outcome").asString()).isEqualTo("DONE");
    assertThat(body.get("members").get(1).get("id").asLong()).isEqualTo(2);
    assertThat(body.get("members").get(1).get("voter").asBoolean()).isFalse();

    HttpResponse<String> removed =
        http.send(
            HttpRequest.newBuilder(uri("/actuator/raft/members/2")).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(removed.statusCode()).isEqualTo(200);
    assertThat(json.readTree(removed.body()).get("message").asString()).isEqualTo("node 2 (learner) removed");
  }

  @Test
  void aSnapshotIsTakenByAPostWithoutBodyAsTheDocsShowIt() throws Exception {
    // curl -X POST http://localhost:8080/actuator/raft/snapshot: no body, no Content-Type.
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/actuator/raft/snapshot")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json.readTree(response.body()).get("outcome").asString()).isEqualTo("DONE");
  }

  @Test
  void healthIncludesTheRaftContributor() throws Exception {
    HttpResponse<String> response = get("/actuator/health");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode raft = json.readTree(response.body()).get("components").get("raft");
    assertThat(raft.get("status").asString()).isEqualTo("UP");
    assertThat(raft.get("details").get("role").asString()).isEqualTo("leader");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(SingleNodeWebApp.Beans.class)
  static class App {}
}
