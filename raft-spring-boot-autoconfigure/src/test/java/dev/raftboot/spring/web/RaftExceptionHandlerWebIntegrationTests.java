package dev.raftboot.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.api.AlreadyAppliedException;
import dev.raftboot.spring.api.ReplicatedCallInterruptedException;
import dev.raftboot.spring.api.CommandTimeoutException;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.StoppedBeforeAppliedException;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.api.ReadTimeoutException;
import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.RaftTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Replication failures of a controller, over HTTP on a random port, as problem details. */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
      "raft.node-id=1",
      "raft.peers.1=http://localhost:8081",
      "raft.tick-interval=100ms",
      "raft.election-tick=25",
      "raft.heartbeat-tick=1"
    })
class RaftExceptionHandlerWebIntegrationTests {

  @TempDir static Path dir;

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("raft.storage.data-dir", () -> dir.toAbsolutePath().toString());
  }

  @LocalServerPort int port;

  @Autowired RaftServer server;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeEach
  void leaderElected() {
    RaftTestNode.awaitLeader(server);
  }

  @Test
  void noLeaderIsNotAppliedWithRetryAfterAndTheLeader() throws Exception {
    HttpResponse<String> response = get("/fail/no-leader");
    assertThat(response.statusCode()).isEqualTo(503);
    // The election timeout, 25 ticks of 100 ms, rounded up to whole seconds.
    assertThat(response.headers().firstValue("Retry-After")).hasValue("3");
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("status").asInt()).isEqualTo(503);
    assertThat(body.get("title").asString()).isEqualTo("Not applied");
    assertThat(body.get("outcome").asString()).isEqualTo("not-applied");
    assertThat(body.get("detail").asString())
        .startsWith("no leader accepted it")
        .contains("safe to retry");
    assertThat(body.get("leaderId").asLong()).isEqualTo(1);
    assertThat(body.get("leaderUrl").asString()).isEqualTo("http://localhost:8081");
    assertThat(body.get("instance").asString()).isEqualTo("/fail/no-leader");
  }

  @Test
  void readTimeoutSaysTheReadWasNotServedNotThatSomethingWasNotApplied() throws Exception {
    HttpResponse<String> response = get("/fail/read-timeout");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("title").asString()).isEqualTo("Read not confirmed");
    assertThat(body.get("outcome").asString()).isEqualTo("not-read");
    assertThat(body.get("detail").asString())
        .contains("read was not served")
        .doesNotContain("not applied");
  }

  @Test
  void commandTimeoutIsOutcomeUnknownWithADistinctStatus() throws Exception {
    for (String path : new String[] {"/fail/command-timeout", "/fail/async-command-timeout"}) {
      HttpResponse<String> response = get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(504);
      assertThat(response.headers().firstValue("Retry-After")).as(path).isEmpty();
      JsonNode body = json.readTree(response.body());
      assertThat(body.get("title").asString()).isEqualTo("Outcome unknown");
      assertThat(body.get("outcome").asString()).isEqualTo("unknown");
      assertThat(body.get("detail").asString()).contains("may or may not have taken effect");
      assertThat(body.get("leaderUrl").asString()).isEqualTo("http://localhost:8081");
    }
  }

  @Test
  void nodeStoppedBeforeTheCommandLeftItIsNotApplied() throws Exception {
    HttpResponse<String> response = get("/fail/node-stopped");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(json.readTree(response.body()).get("outcome").asString()).isEqualTo("not-applied");
  }

  @Test
  void stoppedAfterTheCommandLeftAndInterruptedCallAreOutcomeUnknown() throws Exception {
    // A node that stops after its command reached raft cannot know whether the others commit it.
    for (String path : new String[] {"/fail/stopped-before-applied", "/fail/interrupted"}) {
      HttpResponse<String> response = get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(504);
      assertThat(json.readTree(response.body()).get("outcome").asString()).isEqualTo("unknown");
    }
  }

  @Test
  void aRetryWhoseFirstOutcomeIsNoLongerKnownIsAppliedBeforeNotRetryable() throws Exception {
    HttpResponse<String> response = get("/fail/already-applied");
    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("outcome").asString()).isEqualTo("applied");
    assertThat(body.get("firstIndex").asLong()).isEqualTo(42);
    assertThat(body.get("detail").asString()).contains("client-7:req-1").contains("Do not retry");
  }

  @Test
  void otherExceptionsAreLeftToSpring() throws Exception {
    assertThat(get("/fail/other").statusCode()).isEqualTo(500);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(FailingController.class)
  static class App {

    @Bean
    NoNetworkTransport raftTransport() {
      return new NoNetworkTransport();
    }
  }

  @RestController
  static class FailingController {

    @GetMapping("/fail/no-leader")
    String noLeader() {
      throw new NoLeaderException("no leader accepted it within its timeout");
    }

    @GetMapping("/fail/read-timeout")
    String readTimeout() {
      throw new ReadTimeoutException("read not confirmed by a leader in time");
    }

    @GetMapping("/fail/command-timeout")
    String commandTimeout() {
      throw new CommandTimeoutException("not applied within 5000 ms; the outcome is unknown");
    }

    @GetMapping("/fail/async-command-timeout")
    CompletableFuture<String> asyncCommandTimeout() {
      return CompletableFuture.failedFuture(
          new CommandTimeoutException("not applied within 5000 ms; the outcome is unknown"));
    }

    @GetMapping("/fail/node-stopped")
    String nodeStopped() {
      throw new NodeStoppedException("raft node stopped");
    }

    @GetMapping("/fail/stopped-before-applied")
    String stoppedBeforeApplied() {
      throw new StoppedBeforeAppliedException("raft node stopped before the command was applied");
    }

    @GetMapping("/fail/interrupted")
    String interrupted() {
      throw new ReplicatedCallInterruptedException("interrupted", new InterruptedException());
    }

    @GetMapping("/fail/already-applied")
    String alreadyApplied() {
      throw new AlreadyAppliedException("client-7:req-1", 42);
    }

    @GetMapping("/fail/other")
    String other() {
      throw new IllegalStateException("a bug");
    }
  }
}
