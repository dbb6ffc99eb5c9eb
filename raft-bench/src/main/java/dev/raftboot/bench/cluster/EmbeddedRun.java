package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** The load JVM's side of {@link EmbeddedLoadServlet}: runs one level in the leader's JVM. */
final class EmbeddedRun {

  private EmbeddedRun() {}

  static Row run(
      int leaderPort,
      String library,
      String setup,
      int concurrency,
      int warmupSeconds,
      int measureSeconds,
      List<Long> serverPids)
      throws IOException, InterruptedException {
    String query =
        "library=" + enc(library)
            + "&setup=" + enc(setup)
            + "&c=" + concurrency
            + "&warmup=" + warmupSeconds
            + "&measure=" + measureSeconds
            + "&pids=" + serverPids.stream().map(String::valueOf).collect(Collectors.joining(","));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + leaderPort + "/bench/run?" + query))
            .timeout(Duration.ofSeconds(warmupSeconds + measureSeconds + 120L))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "the embedded run answered HTTP " + response.statusCode() + ": " + response.body());
    }
    return Row.parseTsv(response.body());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
