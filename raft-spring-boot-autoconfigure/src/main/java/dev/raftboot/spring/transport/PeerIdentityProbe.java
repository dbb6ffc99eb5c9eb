package dev.raftboot.spring.transport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Asks the node at a URL to prove who it is before anything is sent to it: {@code GET
 * <url><prefix>/identity?challenge=<random>}, signed like every peer request, answered with the
 * node's id and, with a secret, a signature over the challenge, the node's id and the prober's id
 * ({@link PeerAuthenticator}). A node without the secret can neither answer nor learn anything from
 * the question; a node that answers with another id is reported with both ids and the URL.
 *
 * <p>Without a secret the answer only shows which node id serves the URL: it catches a wrong port
 * or a peer list that points at another node, not an impostor. Thread-safe; blocks the caller for
 * up to the request timeout.
 */
final class PeerIdentityProbe {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int SHOWN_BODY_CHARS = 300;

  private final HttpClient client;
  private final PeerAuthenticator authenticator;
  private final String clusterId;
  private final String identityPath;
  private final Duration timeout;

  PeerIdentityProbe(
      HttpClient client, PeerAuthenticator authenticator, String clusterId, String identityPath, Duration timeout) {
    this.client = client;
    this.authenticator = authenticator;
    this.clusterId = clusterId;
    this.identityPath = identityPath;
    this.timeout = timeout;
  }

  /** Checks that {@code base} serves node {@code expected}, asked by node {@code self}. */
  PeerCheck probe(long self, long expected, URI base) throws InterruptedException {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    URI uri;
    try {
      uri = HttpRaftTransport.endpoint(base, identityPath + "?" + RaftHeaders.CHALLENGE + "=" + challenge);
    } catch (IllegalArgumentException e) {
      return failed(base, "unusable URL " + base + ": " + e.getMessage());
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header(RaftHeaders.CLUSTER_ID, clusterId)
            .header(RaftHeaders.FROM, Long.toUnsignedString(self))
            .header(RaftHeaders.TO, Long.toUnsignedString(expected))
            .GET();
    String signature =
        authenticator.signRequest(
            clusterId,
            self,
            expected,
            RaftHeaders.IDENTITY_OPERATION,
            PeerAuthenticator.sha256(challenge.getBytes(StandardCharsets.UTF_8)));
    if (signature != null) {
      request.header(RaftHeaders.SIGNATURE, signature);
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return failed(base, "cannot reach " + uri.resolve("/") + ": " + e);
    }
    return judge(self, expected, base, challenge, response);
  }

  private PeerCheck judge(
      long self, long expected, URI base, String challenge, HttpResponse<String> response) {
    int status = response.statusCode();
    String body = shown(response.body());
    String answered = response.headers().firstValue(RaftHeaders.NODE_ID).orElse(null);
    String signature = response.headers().firstValue(RaftHeaders.SIGNATURE).orElse(null);
    String expectedId = Long.toUnsignedString(expected);
    if (status == 404 || (status == 200 && answered == null)) {
      return failed(
          base,
          base + " has no raft identity endpoint (" + identityPath + " answered HTTP " + status
              + "): a wrong port or raft.transport.path-prefix, or not a node of this version");
    }
    if (status != 200 && status != 409) {
      return failed(base, base + " refused the identity check of node " + expectedId + ": HTTP " + status + " " + body);
    }
    if (authenticator.enabled()) {
      long answeredId = parse(answered);
      if (answeredId == 0 || !authenticator.verifyIdentity(signature, clusterId, answeredId, self, challenge)) {
        return failed(
            base,
            base + " did not prove that it holds this cluster's raft.transport.token"
                + (signature == null ? " (its answer is not signed)" : " (wrong signature)"));
      }
    } else if (signature != null) {
      return failed(
          base,
          base + " signs its answer, so it has a raft.transport.token and this node has none: give every"
              + " node the same one");
    }
    if (status == 409 || !expectedId.equals(answered)) {
      return failed(
          base, base + " is node " + answered + ", not node " + expectedId + ": check raft.peers." + expectedId
              + " and the node-id and port of the node at that URL");
    }
    String how = authenticator.enabled() ? "proved it holds the cluster secret" : "no secret configured, id only";
    return new PeerCheck(PeerCheck.State.VERIFIED, base, "node " + expectedId + " at " + base + " (" + how + ")", Instant.now());
  }

  private static long parse(@Nullable String id) {
    try {
      return id == null ? 0 : Long.parseUnsignedLong(id.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static PeerCheck failed(URI url, String detail) {
    return new PeerCheck(PeerCheck.State.FAILED, url, detail, Instant.now());
  }

  private static String shown(@Nullable String body) {
    if (body == null) {
      return "";
    }
    String oneLine = body.strip().replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() <= SHOWN_BODY_CHARS ? oneLine : oneLine.substring(0, SHOWN_BODY_CHARS) + "...";
  }
}
