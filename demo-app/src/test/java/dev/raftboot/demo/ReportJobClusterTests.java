package dev.raftboot.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.runtime.RaftServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three demo nodes in one JVM over the real HTTP transport, their report job scheduled every
 * second on each: it runs once per period across the cluster, and the lock endpoints hand out a
 * lock to one node at a time with growing fencing tokens.
 */
class ReportJobClusterTests {

  @TempDir Path dir;

  private final int[] ports = new int[4];
  private final Map<Integer, ConfigurableApplicationContext> nodes = new TreeMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  @AfterEach
  void stop() {
    nodes.values().forEach(ConfigurableApplicationContext::close);
  }

  private void startCluster() throws IOException {
    for (int i = 1; i <= 3; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
    }
    for (int id = 1; id <= 3; id++) {
      List<String> props = new ArrayList<>();
      // Command-line arguments: they override the demo's application.yml.
      props.add("server.port=" + ports[id]);
      props.add("raft.node-id=" + id);
      props.add("raft.tick-interval=20ms");
      props.add("raft.storage.data-dir=" + dir.resolve("node-" + id));
      props.add("demo.report.cron=* * * * * *");
      props.add("demo.report.lock-at-least-for=PT0.8S");
      props.add("spring.main.banner-mode=off");
      props.add("logging.level.root=warn");
      for (int p = 1; p <= 3; p++) {
        props.add("raft.peers." + p + "=http://127.0.0.1:" + ports[p]);
      }
      nodes.put(
          id,
          new SpringApplicationBuilder(DemoApplication.class)
              .run(props.stream().map(p -> "--" + p).toArray(String[]::new)));
    }
  }

  private HttpResponse<String> send(String method, int node, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[node] + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theReportJobRunsOncePerPeriodAndLocksGoToOneNodeAtATime() throws Exception {
    startCluster();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode runs;
    do {
      Thread.sleep(500);
      HttpResponse<String> r = send("GET", 2, "/jobs/report");
      runs = r.statusCode() == 200 ? json.readTree(r.body()) : json.createArrayNode();
      assertThat(System.nanoTime()).as("six runs within a minute").isLessThan(deadline);
    } while (runs.size() < 6);
    List<Long> periods = new ArrayList<>();
    runs.forEach(run -> periods.add(run.get("period").asLong()));
    assertThat(periods).as("one run per period").doesNotHaveDuplicates();

    HttpResponse<String> first = send("POST", 1, "/locks/demo?ttl=20s&wait=10s");
    assertThat(first.statusCode()).isEqualTo(200);
    JsonNode lease = json.readTree(first.body());
    assertThat(send("POST", 3, "/locks/demo?ttl=20s").statusCode()).isEqualTo(409);
    JsonNode holder = json.readTree(send("GET", 3, "/locks/demo").body());
    assertThat(holder.get("token").asLong()).isEqualTo(lease.get("token").asLong());
    String owner = URLEncoder.encode(lease.get("owner").asString(), StandardCharsets.UTF_8);
    assertThat(send("DELETE", 3, "/locks/demo?owner=" + owner).statusCode()).as("not acquired there").isEqualTo(404);
    assertThat(send("DELETE", 1, "/locks/demo?owner=" + owner).statusCode()).isEqualTo(200);
    HttpResponse<String> second = send("POST", 3, "/locks/demo?ttl=20s&wait=10s");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(json.readTree(second.body()).get("token").asLong()).isGreaterThan(lease.get("token").asLong());
    assertThat(send("POST", 2, "/locks/demo?ttl=forever").statusCode()).isEqualTo(400);
    assertThat(nodes.get(1).getBean(RaftServer.class).isRunning()).isTrue();
  }
}
