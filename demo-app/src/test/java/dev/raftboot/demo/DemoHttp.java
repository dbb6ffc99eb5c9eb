package dev.raftboot.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the demo's REST API, for tests that run the demo as processes. */
final class DemoHttp {

  static final JsonMapper JSON = JsonMapper.builder().build();

  /** A response: its status and body as text. */
  record Response(int status, String body) {

    JsonNode json() {
      return JSON.readTree(body);
    }

    /** The "outcome" a 503 or 504 problem carries ("not-applied", "not-read", "unknown"), or null. */
    String outcome() {
      try {
        JsonNode outcome = json().get("outcome");
        return outcome == null || outcome.isNull() ? null : outcome.asString();
      } catch (RuntimeException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final HttpClient client;
  private final Duration requestTimeout;

  DemoHttp(Duration connectTimeout, Duration requestTimeout) {
    // HTTP/1.1: no upgrade attempts; the JDK client never re-sends a PUT, POST or DELETE by itself.
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .build();
    this.requestTimeout = requestTimeout;
  }

  Response get(String url) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  Response put(String url, String text) throws IOException, InterruptedException {
    return put(url, text, null);
  }

  /** A PUT carrying {@code idempotencyKey} in the demo's {@code Idempotency-Key} header, unless null. */
  Response put(String url, String text, String idempotencyKey) throws IOException, InterruptedException {
    return send(
        keyed(HttpRequest.newBuilder(URI.create(url)), idempotencyKey)
            .header("Content-Type", "text/plain; charset=utf-8")
            .PUT(HttpRequest.BodyPublishers.ofString(text)));
  }

  Response postJson(String url, Object body) throws IOException, InterruptedException {
    return postJson(url, body, null);
  }

  /** A JSON POST carrying {@code idempotencyKey} in the {@code Idempotency-Key} header, unless null. */
  Response postJson(String url, Object body, String idempotencyKey) throws IOException, InterruptedException {
    return send(
        keyed(HttpRequest.newBuilder(URI.create(url)), idempotencyKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  Response delete(String url) throws IOException, InterruptedException {
    return delete(url, null);
  }

  /** A DELETE carrying {@code idempotencyKey} in the {@code Idempotency-Key} header, unless null. */
  Response delete(String url, String idempotencyKey) throws IOException, InterruptedException {
    return send(keyed(HttpRequest.newBuilder(URI.create(url)), idempotencyKey).DELETE());
  }

  private static HttpRequest.Builder keyed(HttpRequest.Builder request, String idempotencyKey) {
    return idempotencyKey == null ? request : request.header("Idempotency-Key", idempotencyKey);
  }

  private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(request.timeout(requestTimeout).build(), HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body());
  }
}
