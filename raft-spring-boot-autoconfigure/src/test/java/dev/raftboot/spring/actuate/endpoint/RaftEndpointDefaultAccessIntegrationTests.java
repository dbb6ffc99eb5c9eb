package dev.raftboot.spring.actuate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.test.RaftTestNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

/** Exposed but not opened up: the endpoint answers reads and refuses every write. */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
      "raft.node-id=1",
      "raft.peers.1=http://localhost:8081",
      "raft.tick-interval=10ms",
      "management.endpoints.web.exposure.include=raft,health",
      "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
    })
class RaftEndpointDefaultAccessIntegrationTests extends SingleNodeWebApp {


  @Test
  void writesAreOffAndReadsOn() throws Exception {
    RaftTestNode.awaitLeader(server);
    HttpResponse<String> add =
        http.send(
            HttpRequest.newBuilder(uri("/actuator/raft/learners"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": 2, \"url\": \"http://127.0.0.1:9\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> remove =
        http.send(HttpRequest.newBuilder(uri("/actuator/raft/members/1")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> read =
        http.send(HttpRequest.newBuilder(uri("/actuator/raft")).GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(add.statusCode()).isBetween(400, 499);
    assertThat(remove.statusCode()).isBetween(400, 499);
    assertThat(server.members()).hasSize(1);
    assertThat(read.statusCode()).isEqualTo(200);
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(SingleNodeWebApp.Beans.class)
  static class App {}
}
