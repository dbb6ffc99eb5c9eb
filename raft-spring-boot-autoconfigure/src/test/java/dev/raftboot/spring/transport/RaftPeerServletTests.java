package dev.raftboot.spring.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The peer endpoint over real HTTP: every refusal answers with its status and reason, hands the
 * node nothing, and leaves the node accepting the next valid request.
 */
class RaftPeerServletTests {

  private static final String CLUSTER = "c1";
  private static final String TOKEN = "peer-secret";
  private static final int MAX_MESSAGE_SIZE = 4096;
  private static final int MAX_SNAPSHOT_SIZE = 64 * 1024;

  private static final RecordingReceiver node = new RecordingReceiver(2, CLUSTER, Set.of(1L, 2L, 3L));
  private static PeerApp app;
  private static HttpClient client;

  private long nextIndex = 1;

  @BeforeAll
  static void startNode() {
    HttpTransportSettings settings =
        HttpTransportSettings.defaults()
            .withToken(TOKEN)
            .withMaxMessageSize(MAX_MESSAGE_SIZE)
            .withMaxSnapshotSize(MAX_SNAPSHOT_SIZE);
    app = PeerApp.start(node, settings);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stopNode() {
    app.close();
  }

  @BeforeEach
  void resetNode() {
    node.reset();
  }

  // --- accepted -----------------------------------------------------------------------------------

  @Test
  void acceptsABatchAndHandsOverItsMessagesInOrder() throws Exception {
    Message a = app(1, 2);
    Message b = app(1, 2);
    Message c = heartbeat(1, 2);

    Response r = post("/raft/messages", headers(), frame(a, b, c));

    assertThat(r.status).isEqualTo(204);
    assertThat(node.received).containsExactly(a, b, c);
  }

  @Test
  void acceptsASnapshot() throws Exception {
    Message snap = snapshot(1, 2, 40_000);

    Response r = post("/raft/snapshot", headers(), frame(snap));

    assertThat(r.status).isEqualTo(204);
    assertThat(node.received).containsExactly(snap);
  }

  // --- 401 ----------------------------------------------------------------------------------------

  @Test
  void refusesAnUnsignedRequest() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.SIGNATURE, "");

    assertRefused(post("/raft/messages", h, frame(app(1, 2))), 401, "missing Raft-Signature header");
  }

  @Test
  void refusesTheSecretItselfAsAnOlderVersionSentIt() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.SIGNATURE, "");
    h.put(RaftHeaders.LEGACY_TOKEN, TOKEN);

    assertRefused(post("/raft/messages", h, frame(app(1, 2))), 401, "run the same version on every node");
  }

  @Test
  void refusesARequestSignedWithAnotherSecret() throws Exception {
    Map<String, String> h = headers();
    byte[] body = frame(app(1, 2));
    h.put(RaftHeaders.SIGNATURE, sign("another-secret-of-some-length", h, "/raft/messages", body));

    assertRefused(post("/raft/messages", h, body), 401, "wrong Raft-Signature");
  }

  @Test
  void refusesASignedRequestWhoseBodyWasReplaced() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.SIGNATURE, sign(TOKEN, h, "/raft/messages", frame(app(1, 2))));

    assertRefused(post("/raft/messages", h, frame(heartbeat(1, 2))), 401, "wrong Raft-Signature");
  }

  @Test
  void refusesASignedRequestReplayedToAnotherNode() throws Exception {
    // Signed for node 3, then relabelled for this node (2): the signature covers the recipient.
    Map<String, String> forThree = headers();
    forThree.put(RaftHeaders.TO, "3");
    byte[] body = frame(app(1, 2));
    String signature = sign(TOKEN, forThree, "/raft/messages", body);
    Map<String, String> h = headers();
    h.put(RaftHeaders.SIGNATURE, signature);

    assertRefused(post("/raft/messages", h, body), 401, "wrong Raft-Signature");
  }

  @Test
  void refusesASnapshotSignedAsABatch() throws Exception {
    Map<String, String> h = headers();
    byte[] body = frame(snapshot(1, 2, 100));
    h.put(RaftHeaders.SIGNATURE, sign(TOKEN, h, "/raft/messages", body));

    assertRefused(post("/raft/snapshot", h, body), 401, "wrong Raft-Signature");
  }

  // --- cluster id ---------------------------------------------------------------------------------

  @Test
  void refusesARequestWithoutClusterId() throws Exception {
    Map<String, String> h = headers();
    h.remove(RaftHeaders.CLUSTER_ID);

    assertRefused(post("/raft/messages", h, frame(app(1, 2))), 400, "missing Raft-Cluster-Id header");
  }

  @Test
  void refusesARequestForAnotherCluster() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.CLUSTER_ID, "c2");

    assertRefused(
        post("/raft/messages", h, frame(app(1, 2))), 403, "request is for cluster 'c2'");
  }

  // --- sender and recipient -----------------------------------------------------------------------

  @Test
  void refusesARequestWithoutSender() throws Exception {
    Map<String, String> h = headers();
    h.remove(RaftHeaders.FROM);

    assertRefused(post("/raft/messages", h, frame(app(1, 2))), 400, "missing Raft-From header");
  }

  @Test
  void refusesAMalformedSender() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.FROM, "one");

    assertRefused(post("/raft/messages", h, frame(app(1, 2))), 400, "Raft-From is not a node id: one");
  }

  @Test
  void refusesASenderThatIsNotAMember() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.FROM, "9");

    assertRefused(
        post("/raft/messages", h, frame(app(9, 2))), 403, "node 9 is not a member of this cluster");
  }

  // --- the sender check on what raft forwards (PeerMessageRules#senderViolation) ---

  @Test
  void acceptsALeadershipTransferForwardedByAFollowerWithTheTransfereeInFrom() throws Exception {
    // Asked of follower 1 to move leadership to 3: raft-core forwards it as it is, from = 3.
    Message transfer = Message.newBuilder().setType(MessageType.MsgTransferLeader).setFrom(3).setTo(2).setTerm(1).build();

    Response r = post("/raft/messages", headers(), frame(transfer));

    assertThat(r.status).as(r.body).isEqualTo(204);
    assertThat(node.received).containsExactly(transfer);
  }

  @Test
  void acceptsAProposalAndAReadIndexPassedOnFromAnotherMember() throws Exception {
    // A node that received them as leader, stepped down and forwarded them on keeps their from.
    Message proposal = forwardedFromThree(MessageType.MsgProp, "cmd");
    Message read = forwardedFromThree(MessageType.MsgReadIndex, "ctx");

    Response r = post("/raft/messages", headers(), frame(proposal, read));

    assertThat(r.status).as(r.body).isEqualTo(204);
    assertThat(node.received).containsExactly(proposal, read);
  }

  private static Message forwardedFromThree(MessageType type, String data) {
    return Message.newBuilder()
        .setType(type)
        .setFrom(3)
        .setTo(2)
        .addEntries(dev.raftboot.raftpb.Entry.newBuilder().setData(ByteString.copyFromUtf8(data)))
        .build();
  }

  @Test
  void refusesAForwardedMessageForANodeThatIsNotAMember() throws Exception {
    Message transfer = Message.newBuilder().setType(MessageType.MsgTransferLeader).setFrom(9).setTo(2).setTerm(1).build();

    assertRefused(
        post("/raft/messages", headers(), frame(transfer)),
        403,
        "message 0 (MsgTransferLeader) is forwarded for node 9, which is not a member of this cluster");
  }

  @Test
  void refusesAVoteThatClaimsAnotherMember() throws Exception {
    Message vote = Message.newBuilder().setType(MessageType.MsgVote).setFrom(3).setTo(2).setTerm(5).build();

    assertRefused(
        post("/raft/messages", headers(), frame(vote)),
        403,
        "message 0 (MsgVote) claims to come from node 3 but the request is from node 1");
  }

  @Test
  void refusesARequestThatClaimsToComeFromTheNodeItself() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.FROM, "2");

    assertRefused(
        post("/raft/messages", h, frame(app(2, 2))), 400, "request claims to come from this node 2");
  }

  @Test
  void refusesAMessageNoCorrectPeerSends() throws Exception {
    Message outOfRange = app(1, 2).toBuilder().setTerm(-1).build();

    assertRefused(
        post("/raft/messages", headers(), frame(app(1, 2), outOfRange)),
        400,
        "message 1 (MsgApp) has a term of 2^63 or more, which no raft node reaches");
  }

  @Test
  void refusesASnapshotFromASenderThatIsNotAMember() throws Exception {
    node.members.remove(1L);

    Response r = post("/raft/snapshot", headers(), frame(snapshot(1, 2, 100)));

    node.members.add(1L);
    assertRefused(r, 403, "node 1 is not a member of this cluster");
  }

  @Test
  void refusesAMessageWhoseFromIsNotTheSender() throws Exception {
    // Node 3 is a member, but the request comes from node 1.
    assertRefused(
        post("/raft/messages", headers(), frame(app(1, 2), app(3, 2))),
        403,
        "message 1 (MsgApp) claims to come from node 3 but the request is from node 1");
  }

  @Test
  void refusesARequestAddressedToAnotherNode() throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.TO, "3");

    assertRefused(
        post("/raft/messages", h, frame(app(1, 2))), 400, "request is addressed to node 3, this is node 2");
  }

  @Test
  void refusesARequestWithoutRecipient() throws Exception {
    Map<String, String> h = headers();
    h.remove(RaftHeaders.TO);

    assertRefused(post("/raft/messages", h, frame(app(1, 2))), 400, "missing Raft-To header");
  }

  @Test
  void refusesAMessageAddressedToAnotherNode() throws Exception {
    assertRefused(
        post("/raft/messages", headers(), frame(app(1, 2), app(1, 3))),
        400,
        "message 1 (MsgApp) is addressed to node 3, this is node 2");
  }

  // --- body ---------------------------------------------------------------------------------------

  @Test
  void refusesABodyThatDoesNotParse() throws Exception {
    byte[] garbage = {0x05, 0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

    assertRefused(
        post("/raft/messages", headers(), garbage), 400, "body is not a sequence of length-delimited raftpb.Message");
  }

  @Test
  void refusesATruncatedBody() throws Exception {
    byte[] whole = frame(app(1, 2), app(1, 2));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);

    assertRefused(
        post("/raft/messages", headers(), cut), 400, "body is not a sequence of length-delimited raftpb.Message");
  }

  @Test
  void refusesAnEmptyBody() throws Exception {
    assertRefused(post("/raft/messages", headers(), new byte[0]), 400, "body holds no message");
  }

  @Test
  void refusesABodyOverTheLimitByItsContentLength() throws Exception {
    byte[] big = frame(bigApp(1, 2, MAX_MESSAGE_SIZE));

    assertRefused(post("/raft/messages", headers(), big), 413, "body is larger than 4096 bytes");
  }

  @Test
  void refusesABodyOverTheLimitWhileReadingIt() throws Exception {
    // Chunked: no Content-Length, so the limit is only found while reading.
    byte[] big = frame(bigApp(1, 2, 200_000));

    Response r =
        send(
            request("/raft/messages", headers())
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build());

    assertRefused(r, 413, "body is larger than 4096 bytes");
  }

  @Test
  void acceptsABodyOfExactlyTheLimit() throws Exception {
    Message m = appOfFramedSize(MAX_MESSAGE_SIZE);
    byte[] body = frame(m);
    assertThat(body).hasSize(MAX_MESSAGE_SIZE);

    Response r = post("/raft/messages", headers(), body);

    assertThat(r.status).as("status (body: %s)", r.body).isEqualTo(204);
    assertThat(node.received).containsExactly(m);
  }

  @Test
  void refusesABodyOneByteOverTheLimit() throws Exception {
    byte[] body = frame(appOfFramedSize(MAX_MESSAGE_SIZE + 1));
    assertThat(body).hasSize(MAX_MESSAGE_SIZE + 1);

    assertRefused(post("/raft/messages", headers(), body), 413, "body is larger than 4096 bytes");
  }

  @Test
  void acceptsAChunkedBodyOfExactlyTheLimitAndRefusesOneByteMore() throws Exception {
    Message fits = appOfFramedSize(MAX_MESSAGE_SIZE);
    byte[] over = frame(appOfFramedSize(MAX_MESSAGE_SIZE + 1));

    Response r = postChunked("/raft/messages", frame(fits));
    assertThat(r.status).as("status (body: %s)", r.body).isEqualTo(204);
    assertThat(node.received).containsExactly(fits);
    node.received.clear();

    assertRefused(postChunked("/raft/messages", over), 413, "body is larger than 4096 bytes");
  }

  @Test
  void refusesABodyThatEndsBeforeItsContentLength() throws Exception {
    byte[] body = frame(app(1, 2));
    Map<String, String> h = headers();
    h.put(RaftHeaders.SIGNATURE, sign(TOKEN, h, "/raft/messages", body));
    StringBuilder head = new StringBuilder("POST /raft/messages HTTP/1.1\r\nHost: localhost\r\n");
    h.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("Content-Length: ").append(body.length + 10).append("\r\n\r\n");

    String answer;
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", app.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(head.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      s.getOutputStream().write(body);
      s.getOutputStream().flush();
      s.shutdownOutput(); // the sender went away 10 bytes short
      answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    // Tomcat marks the exchange failed once the read fails and answers with its own 400 page.
    assertThat(answer).startsWith("HTTP/1.1 400");
    assertThat(node.received).isEmpty();
    assertStillAccepts();
  }

  @Test
  void refusesASnapshotOverItsLimit() throws Exception {
    Message snap = snapshot(1, 2, MAX_SNAPSHOT_SIZE + 1);

    assertRefused(post("/raft/snapshot", headers(), frame(snap)), 413, "body is larger than 65536 bytes");
  }

  @Test
  void refusesABatchWithALocalMessageAsAWhole() throws Exception {
    assertRefused(
        post("/raft/messages", headers(), frame(app(1, 2), local(MessageType.MsgHup))),
        400,
        "message 1 (MsgHup) is local to a node and never sent to peers");
  }

  @ParameterizedTest
  @EnumSource(
      value = MessageType.class,
      names = {
        "MsgHup", "MsgBeat", "MsgUnreachable", "MsgSnapStatus", "MsgCheckQuorum",
        "MsgStorageAppend", "MsgStorageAppendResp", "MsgStorageApply", "MsgStorageApplyResp"
      })
  void refusesLocalMessageTypes(MessageType type) throws Exception {
    assertRefused(
        post("/raft/messages", headers(), frame(local(type))),
        400,
        "message 0 (" + type + ") is local to a node and never sent to peers");
  }

  @Test
  void refusesAMessageCarryingLocalResponses() throws Exception {
    Message m = app(1, 2).toBuilder().addResponses(heartbeat(1, 2)).build();

    assertRefused(
        post("/raft/messages", headers(), frame(m)), 400, "message 0 (MsgApp) is local to a node");
  }

  @Test
  void refusesASnapshotOnTheMessagesPath() throws Exception {
    assertRefused(
        post("/raft/messages", headers(), frame(snapshot(1, 2, 10))),
        400,
        "message 0 (MsgSnap) must be sent to /raft/snapshot");
  }

  @Test
  void refusesOtherMessagesOnTheSnapshotPath() throws Exception {
    assertRefused(
        post("/raft/snapshot", headers(), frame(app(1, 2))), 400, "/raft/snapshot takes exactly one MsgSnap");
  }

  @Test
  void refusesTwoSnapshotsInOneRequest() throws Exception {
    assertRefused(
        post("/raft/snapshot", headers(), frame(snapshot(1, 2, 10), snapshot(1, 2, 10))),
        400,
        "/raft/snapshot takes exactly one MsgSnap");
  }

  // --- 503 ----------------------------------------------------------------------------------------

  @Test
  void answers503WhenTheNodeIsNotRunning() throws Exception {
    node.running = false;

    Response r = post("/raft/messages", headers(), frame(app(1, 2)));

    assertThat(r.status).isEqualTo(503);
    assertThat(r.body).contains("raft node 2 is not running");
    assertThat(node.received).isEmpty();
    node.running = true;
    assertStillAccepts();
  }

  // --- methods and paths --------------------------------------------------------------------------

  @Test
  void answersOtherMethodsWith405() throws Exception {
    Response r = send(request("/raft/messages", headers()).GET().build());

    assertThat(r.status).isEqualTo(405);
    assertThat(r.body).contains("only POST is allowed here");
    assertThat(node.received).isEmpty();
  }

  @Test
  void refusesAnIdentityProbeWithoutChallenge() throws Exception {
    Response r = send(request("/raft/identity", headers()).GET().build());

    assertThat(r.status).isEqualTo(400);
    assertThat(r.body).contains("challenge must be 1 to 128 characters");
  }

  @Test
  void leavesOtherPathsUnderThePrefixToTheApplication() throws Exception {
    // Mapped to the three exact paths only: anything else is the application's (here: MVC's 404).
    Response r = post("/raft/messagesx", headers(), frame(app(1, 2)));

    assertThat(r.status).isEqualTo(404);
    assertThat(node.received).isEmpty();
  }

  // --- helpers ------------------------------------------------------------------------------------

  private void assertRefused(Response r, int status, String reason) throws Exception {
    assertThat(r.status).as("status of a refused request (body: %s)", r.body).isEqualTo(status);
    assertThat(r.body).contains(reason);
    assertThat(r.contentType).startsWith("text/plain");
    assertThat(node.received).as("messages handed to the node").isEmpty();
    assertStillAccepts();
  }

  /** The node keeps working: a valid request right after a refusal is accepted. */
  private void assertStillAccepts() throws Exception {
    Message ok = app(1, 2);
    Response r = post("/raft/messages", headers(), frame(ok));
    assertThat(r.status).as("valid request after a refusal (body: %s)", r.body).isEqualTo(204);
    assertThat(node.received).containsExactly(ok);
    node.received.clear();
  }

  private static Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put(RaftHeaders.CLUSTER_ID, CLUSTER);
    h.put(RaftHeaders.FROM, "1");
    h.put(RaftHeaders.TO, "2");
    return h;
  }

  /**
   * The signature a peer holding {@code secret} would send; the operation follows from the path.
   * Unparsable ids are signed as 0, which no receiver accepts.
   */
  static String sign(String secret, Map<String, String> h, String path, byte[] body) {
    String cluster = h.getOrDefault(RaftHeaders.CLUSTER_ID, "");
    String operation =
        path.endsWith("/snapshot") ? RaftHeaders.SNAPSHOT_OPERATION
            : path.endsWith("/identity") ? RaftHeaders.IDENTITY_OPERATION
            : RaftHeaders.MESSAGES_OPERATION;
    return new PeerAuthenticator(secret, CLUSTER)
        .signRequest(cluster, id(h.get(RaftHeaders.FROM)), id(h.get(RaftHeaders.TO)), operation, PeerAuthenticator.sha256(body));
  }

  private static long id(String s) {
    try {
      return s == null ? 0 : Long.parseUnsignedLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private Message app(long from, long to) {
    return Message.newBuilder()
        .setType(MessageType.MsgApp)
        .setFrom(from)
        .setTo(to)
        .setTerm(1)
        .setIndex(nextIndex++)
        .build();
  }

  /** An append whose framed size is exactly {@code size}, padded with a context. */
  private Message appOfFramedSize(int size) {
    Message base = app(1, 2);
    int padding = size - MessageFraming.framedSize(base);
    for (int attempt = 0; attempt < 10; attempt++) {
      Message m = base.toBuilder().setContext(ByteString.copyFrom(new byte[padding])).build();
      int missing = size - MessageFraming.framedSize(m);
      if (missing == 0) {
        return m;
      }
      padding += missing;
    }
    throw new AssertionError("no append of framed size " + size);
  }

  /** Posts {@code body} signed, chunked (without Content-Length). */
  private Response postChunked(String path, byte[] body) throws Exception {
    Map<String, String> h = headers();
    h.put(RaftHeaders.SIGNATURE, sign(TOKEN, h, path, body));
    return send(request(path, h).POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
  }

  private Message bigApp(long from, long to, int contextBytes) {
    return app(from, to).toBuilder().setContext(ByteString.copyFrom(new byte[contextBytes])).build();
  }

  private static Message heartbeat(long from, long to) {
    return Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(from).setTo(to).setTerm(1).build();
  }

  private static Message local(MessageType type) {
    return Message.newBuilder().setType(type).setFrom(1).setTo(2).setTerm(1).build();
  }

  static Message snapshot(long from, long to, int dataBytes) {
    byte[] data = new byte[dataBytes];
    new java.util.Random(dataBytes).nextBytes(data);
    return Message.newBuilder()
        .setType(MessageType.MsgSnap)
        .setFrom(from)
        .setTo(to)
        .setTerm(2)
        .setSnapshot(
            Snapshot.newBuilder()
                .setData(ByteString.copyFrom(data))
                .setMetadata(SnapshotMetadata.newBuilder().setIndex(10).setTerm(2)))
        .build();
  }

  static byte[] frame(Message... messages) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Message m : messages) {
      m.writeDelimitedTo(out);
    }
    return out.toByteArray();
  }

  /**
   * Posts {@code body}, signed with the cluster secret unless {@code headers} hold a {@value
   * RaftHeaders#SIGNATURE} of their own (an empty one is left out).
   */
  private Response post(String path, Map<String, String> headers, byte[] body) throws Exception {
    Map<String, String> h = new LinkedHashMap<>(headers);
    if (!h.containsKey(RaftHeaders.SIGNATURE)) {
      h.put(RaftHeaders.SIGNATURE, sign(TOKEN, h, path, body));
    } else if (h.get(RaftHeaders.SIGNATURE).isEmpty()) {
      h.remove(RaftHeaders.SIGNATURE);
    }
    return send(request(path, h).POST(BodyPublishers.ofByteArray(body)).build());
  }

  private HttpRequest.Builder request(String path, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(app.url() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", RaftHeaders.CONTENT_TYPE);
    headers.forEach(b::header);
    return b;
  }

  private static Response send(HttpRequest request) throws Exception {
    HttpResponse<String> r = client.send(request, BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
  }

  private record Response(int status, String body, String contentType) {}
}
