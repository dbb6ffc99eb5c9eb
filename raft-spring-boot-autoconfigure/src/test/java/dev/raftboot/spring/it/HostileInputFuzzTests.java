package dev.raftboot.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.RaftStatus;
import dev.raftboot.spring.api.ReadTimeoutException;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.test.ReplicatedKv;
import dev.raftboot.spring.transport.PeerAuthenticator;
import dev.raftboot.spring.transport.RaftHeaders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Hostile input against the peer endpoints of one real Boot node, over real HTTP.
 *
 * <p>The node is a single voter (node 1) with one learner (node 2), a second real Boot node: node 2
 * is a member, so the fuzzer can speak as a member, and node 1 keeps a quorum of its own, so it
 * must still commit writes and confirm linearizable reads afterwards. The real node 2 replicates
 * whatever node 1 made of the hostile input; at the end both must hold the same log (where both
 * still have it), the same applied index and the same state.
 *
 * <p>Every input belongs to a category that says what the answer must be: refused with a 4xx
 * status (most), accepted as raft input with a 2xx (well-formed messages from the member that are
 * semantically hostile: absurd terms, commits beyond the log, responses nobody asked for, garbage
 * commands), or either (mutations of valid bodies, which may or may not still be valid). A 5xx,
 * a dropped connection or the node stopping fails the test at once, naming the input.
 *
 * <p>Seeded: {@code -Dfuzz.seed=} and {@code -Dfuzz.iterations=} (default {@value
 * #DEFAULT_ITERATIONS}) reproduce or extend a run; the seed and the totals are printed.
 */
class HostileInputFuzzTests {

  static final int DEFAULT_ITERATIONS = 1200;
  private static final long DEFAULT_SEED = 0x5EED_F0221L;

  private static final long SELF = 1;
  private static final long MEMBER = 2;
  private static final String CLUSTER = "fuzz";
  private static final String TOKEN = "fuzz-token-of-sixteen-chars";
  /** Stands for "sign this request at send time over its actual headers and body". */
  private static final String SIGN = "<sign>";
  private static final PeerAuthenticator SIGNER = new PeerAuthenticator(TOKEN, CLUSTER);
  private static final int MAX_MESSAGE_SIZE = 64 * 1024;
  private static final int MAX_SNAPSHOT_SIZE = 256 * 1024;
  /** Values a uint64 field can hold that no raft node ever reaches: 2^63 and above. */
  private static final long[] ABSURD = {
    Long.MIN_VALUE, -1L, Long.MIN_VALUE + 1, -2L, 0xC000_0000_0000_0000L
  };
  private static final MessageType[] LOCAL_TYPES = {
    MessageType.MsgHup,
    MessageType.MsgBeat,
    MessageType.MsgUnreachable,
    MessageType.MsgSnapStatus,
    MessageType.MsgCheckQuorum,
    MessageType.MsgStorageAppend,
    MessageType.MsgStorageAppendResp,
    MessageType.MsgStorageApply,
    MessageType.MsgStorageApplyResp,
    MessageType.MsgForgetLeader
  };

  @TempDir Path dir;

  private ConfigurableApplicationContext node;
  private ConfigurableApplicationContext learner;

  @AfterEach
  void stop() {
    if (learner != null) {
      learner.close();
    }
    if (node != null) {
      node.close();
    }
  }

  // --- what an answer must be -------------------------------------------------------------------

  enum Category {
    RANDOM_BYTES(Expect.REFUSED),
    MUTATED_VALID_BODY(Expect.REFUSED_OR_ACCEPTED),
    HUGE_LENGTH_PREFIX(Expect.REFUSED),
    LOCAL_OR_UNKNOWN_TYPE(Expect.REFUSED),
    WRONG_ENDPOINT(Expect.REFUSED),
    ABSURD_NUMBERS(Expect.REFUSED),
    MALFORMED_ENTRIES(Expect.REFUSED),
    WRONG_RECIPIENT(Expect.REFUSED),
    NON_MEMBER_SENDER(Expect.REFUSED),
    SELF_AS_SENDER(Expect.REFUSED),
    FROM_NOT_SENDER(Expect.REFUSED),
    BAD_HEADERS(Expect.REFUSED),
    OVERSIZED_BODY(Expect.REFUSED),
    BROKEN_HTTP(Expect.REFUSED),
    HOSTILE_MEMBER_MESSAGE(Expect.ACCEPTED);

    final Expect expect;

    Category(Expect expect) {
      this.expect = expect;
    }
  }

  enum Expect {
    REFUSED(s -> s >= 400 && s < 500),
    ACCEPTED(s -> s >= 200 && s < 300),
    REFUSED_OR_ACCEPTED(s -> s >= 200 && s < 500);

    final IntPredicate ok;

    Expect(IntPredicate ok) {
      this.ok = ok;
    }
  }

  /**
   * One request. {@code raw} requests are written to a socket as they are (broken HTTP); the others
   * are POSTed with {@code headers}, chunked when {@code chunked}. {@code status}, when not 0, is
   * the exact status expected.
   */
  record Input(
      Category category,
      String what,
      String path,
      Map<String, String> headers,
      byte[] body,
      boolean chunked,
      byte @org.jspecify.annotations.Nullable [] raw,
      int status) {

    Input withStatus(int s) {
      return new Input(category, what, path, headers, body, chunked, raw, s);
    }

    @Override
    public String toString() {
      byte[] b = raw != null ? raw : body;
      String hex = java.util.HexFormat.of().formatHex(Arrays.copyOf(b, Math.min(b.length, 64)));
      return category + " [" + what + "] " + path + " " + headers + " body " + b.length + " bytes: "
          + hex + (b.length > 64 ? "..." : "");
    }
  }

  // --- the test ---------------------------------------------------------------------------------

  @Test
  void survivesHostileInputAndStillServes() throws Exception {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    int iterations = Integer.getInteger("fuzz.iterations", DEFAULT_ITERATIONS);
    System.out.printf("hostile input fuzz: seed=%d iterations=%d%n", seed, iterations);

    int port = freePort();
    int memberPort = freePort();
    node = start(SELF, port, memberPort);
    RaftServer server = node.getBean(RaftServer.class);
    ReplicatedKv kv = node.getBean(ReplicatedKv.class);
    awaitLeader(server);
    server.addLearner(MEMBER, URI.create("http://127.0.0.1:" + memberPort)).get(60, TimeUnit.SECONDS);
    learner = start(MEMBER, port, memberPort);
    put(kv, "before", "fuzz");
    assertThat(read(kv, "before")).isEqualTo("fuzz");

    Fuzzer fuzzer = new Fuzzer(new SplittableRandom(seed), server, port, memberPort);
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    Map<Category, Map<Integer, Integer>> outcomes = new EnumMap<>(Category.class);
    Deque<String> recent = new ArrayDeque<>();
    long started = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      Input in = fuzzer.next();
      int status = send(client, port, in);
      outcomes.computeIfAbsent(in.category(), c -> new TreeMap<>()).merge(status, 1, Integer::sum);
      recent.addLast("#" + i + " -> " + status + ": " + in);
      if (recent.size() > 5) {
        recent.removeFirst();
      }
      assertThat(status)
          .as("input #%d: %s (seed %d)", i, in, seed)
          .matches(in.category().expect.ok::test, in.category().expect.name());
      if (in.status() != 0) {
        assertThat(status).as("input #%d: %s (seed %d)", i, in, seed).isEqualTo(in.status());
      }
      assertThat(server.isRunning())
          .as("node still running after input #%d (seed %d); last inputs:%n%s", i, seed, String.join("\n", recent))
          .isTrue();
    }
    long fuzzMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // Afterwards the node still serves: it wins an election of its own and commits and reads.
    awaitLeader(server);
    put(kv, "after", "fuzz");
    assertThat(read(kv, "after")).isEqualTo("fuzz");
    RaftStatus status = server.status();
    assertThat(status.term()).as("term stays in range").isPositive();
    assertThat(status.role()).isEqualTo(StateType.LEADER);
    String agreement = awaitReplicasAgree(node, learner);

    report(seed, iterations, fuzzMillis, outcomes, status);
    System.out.println("  replicas: " + agreement);
  }

  /**
   * Waits until the learner has applied what the leader applied, then requires the same state and
   * the same log entries (index, term, type, data) over the range both still hold. Returns what was
   * compared.
   */
  private static String awaitReplicasAgree(ConfigurableApplicationContext leader, ConfigurableApplicationContext other)
      throws InterruptedException {
    RaftServer a = leader.getBean(RaftServer.class);
    RaftServer b = other.getBean(RaftServer.class);
    Map<String, String> stateA = leader.getBean(ReplicatedKv.class).local();
    Map<String, String> stateB = other.getBean(ReplicatedKv.class).local();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (b.status().applied() < a.status().applied() || !stateA.equals(stateB)) {
      assertThat(System.nanoTime())
          .as("node 2 catches up: node 1 %s, node 2 %s; states %s and %s", a.status(), b.status(), stateA, stateB)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    RaftStatus sa = a.status();
    RaftStatus sb = b.status();
    assertThat(b.isRunning()).as("node 2 still running").isTrue();
    assertThat(sb.applied()).as("applied index of node 2").isEqualTo(sa.applied());
    assertThat(new TreeMap<>(stateB)).as("state of node 2").isEqualTo(new TreeMap<>(stateA));
    RaftStorage logA = leader.getBean(RaftStorage.class);
    RaftStorage logB = other.getBean(RaftStorage.class);
    long lo = Math.max(logA.firstIndex(), logB.firstIndex());
    long hi = Math.min(sa.applied(), sb.applied());
    List<Entry> entriesA = lo <= hi ? logA.entries(lo, hi + 1, Long.MAX_VALUE) : List.of();
    List<Entry> entriesB = lo <= hi ? logB.entries(lo, hi + 1, Long.MAX_VALUE) : List.of();
    assertThat(entriesB).as("log of node 2 from %d to %d", lo, hi).isEqualTo(entriesA);
    return String.format("node 2 applied %d like node 1, the same %d keys, the same %d log entries (%d to %d)",
        sb.applied(), stateA.size(), entriesA.size(), lo, hi);
  }

  private static void report(
      long seed, int iterations, long millis, Map<Category, Map<Integer, Integer>> outcomes, RaftStatus after) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("hostile input fuzz: seed=%d, %d inputs in %d ms%n", seed, iterations, millis));
    sb.append(String.format("  %-24s %6s %8s %9s  %s%n", "category", "tried", "refused", "accepted", "statuses"));
    int refused = 0;
    int accepted = 0;
    Map<Integer, Integer> byStatus = new TreeMap<>();
    for (Map.Entry<Category, Map<Integer, Integer>> e : outcomes.entrySet()) {
      int r = 0;
      int a = 0;
      int n = 0;
      for (Map.Entry<Integer, Integer> s : e.getValue().entrySet()) {
        n += s.getValue();
        if (s.getKey() >= 400) {
          r += s.getValue();
        } else {
          a += s.getValue();
        }
        byStatus.merge(s.getKey(), s.getValue(), Integer::sum);
      }
      refused += r;
      accepted += a;
      sb.append(String.format("  %-24s %6d %8d %9d  %s%n", e.getKey(), n, r, a, e.getValue()));
    }
    sb.append(String.format("  %-24s %6d %8d %9d  %s%n", "TOTAL", iterations, refused, accepted, byStatus));
    sb.append(
        String.format(
            "  afterwards: leader at term %d, commit %d, write and linearizable read succeeded%n",
            after.term(), after.commit()));
    System.out.print(sb);
  }

  // --- the node ---------------------------------------------------------------------------------

  /**
   * Node 1 forms the cluster alone; node 2 joins it, as the learner node 1 added, on
   * {@code memberPort}.
   */
  private ConfigurableApplicationContext start(long id, int selfPort, int memberPort) {
    List<String> properties = new ArrayList<>(List.of(
        "server.port=" + (id == SELF ? selfPort : memberPort),
        "server.tomcat.connection-timeout=10s",
        "raft.node-id=" + id,
        "raft.cluster-id=" + CLUSTER,
        "raft.peers." + SELF + "=http://127.0.0.1:" + selfPort,
        "raft.tick-interval=50ms",
        "raft.transport.token=" + TOKEN,
        "raft.max-size-per-msg=16KB",
        "raft.transport.max-message-size=" + MAX_MESSAGE_SIZE + "B",
        "raft.transport.max-snapshot-size=" + MAX_SNAPSHOT_SIZE + "B",
        "raft.storage.data-dir=" + dir.resolve("node-" + id),
        "spring.main.banner-mode=off",
        // Hostile messages make raft log a line each; keep the output to warnings.
        "logging.level.dev.raftboot=WARN"));
    if (id == MEMBER) {
      properties.add("raft.join=true");
      properties.add("raft.peers." + MEMBER + "=http://127.0.0.1:" + memberPort);
    }
    return new SpringApplicationBuilder(KvTestApplication.class).properties(properties.toArray(String[]::new)).run();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitLeader(RaftServer server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.status().role() != StateType.LEADER) {
      assertThat(System.nanoTime()).as("node 1 becomes leader").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void put(ReplicatedKv kv, String k, String v) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        kv.put(k, v);
        return;
      } catch (NoLeaderException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static String read(ReplicatedKv kv, String k) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return kv.get(k);
      } catch (ReadTimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  // --- sending ----------------------------------------------------------------------------------

  private static int send(HttpClient client, int port, Input in) throws Exception {
    if (in.raw() != null) {
      return sendRaw(port, in.raw());
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + in.path()))
            .timeout(Duration.ofSeconds(60));
    byte[] body = in.body();
    in.headers()
        .forEach((k, v) -> b.header(k, SIGN.equals(v) ? sign(in.headers(), in.path(), body) : v));
    b.POST(
        in.chunked()
            ? BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
            : BodyPublishers.ofByteArray(body));
    return client.send(b.build(), BodyHandlers.discarding()).statusCode();
  }

  /** The signature a member holding the secret sends; ids that do not parse are signed as 0. */
  static String sign(Map<String, String> h, String path, byte[] body) {
    String operation = path.endsWith(RaftHeaders.SNAPSHOT_PATH) ? RaftHeaders.SNAPSHOT_OPERATION : RaftHeaders.MESSAGES_OPERATION;
    return SIGNER.signRequest(
        h.getOrDefault(RaftHeaders.CLUSTER_ID, ""), id(h.get(RaftHeaders.FROM)), id(h.get(RaftHeaders.TO)),
        operation, PeerAuthenticator.sha256(body));
  }

  private static long id(@org.jspecify.annotations.Nullable String s) {
    try {
      return s == null ? 0 : Long.parseUnsignedLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Writes a request as is and reads the status line of the answer. */
  private static int sendRaw(int port, byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
        line.write(c);
      }
      String status = line.toString(StandardCharsets.ISO_8859_1);
      assertThat(status).as("status line for a raw request").startsWith("HTTP/1.1 ");
      return Integer.parseInt(status.substring(9, 12));
    }
  }

  // --- inputs -----------------------------------------------------------------------------------

  /** Generates inputs; hostile member messages are shaped after the node's current state. */
  private static final class Fuzzer {
    private final SplittableRandom rnd;
    private final RaftServer server;
    private final int port;
    private final int memberPort;
    private final Category[] weighted;

    Fuzzer(SplittableRandom rnd, RaftServer server, int port, int memberPort) {
      this.rnd = rnd;
      this.server = server;
      this.port = port;
      this.memberPort = memberPort;
      List<Category> w = new ArrayList<>();
      for (Category c : Category.values()) {
        int weight =
            switch (c) {
              case HOSTILE_MEMBER_MESSAGE -> 5;
              case MUTATED_VALID_BODY -> 3;
              default -> 1;
            };
        for (int i = 0; i < weight; i++) {
          w.add(c);
        }
      }
      weighted = w.toArray(Category[]::new);
    }

    Input next() {
      Category c = weighted[rnd.nextInt(weighted.length)];
      return switch (c) {
        case RANDOM_BYTES -> randomBytes();
        case MUTATED_VALID_BODY -> mutated();
        case HUGE_LENGTH_PREFIX -> hugeLengthPrefix();
        case LOCAL_OR_UNKNOWN_TYPE -> localOrUnknownType();
        case WRONG_ENDPOINT -> wrongEndpoint();
        case ABSURD_NUMBERS -> absurdNumbers();
        case MALFORMED_ENTRIES -> malformedEntries();
        case WRONG_RECIPIENT -> wrongRecipient();
        case NON_MEMBER_SENDER -> nonMember();
        case SELF_AS_SENDER -> selfAsSender();
        case FROM_NOT_SENDER -> fromNotSender();
        case BAD_HEADERS -> badHeaders();
        case OVERSIZED_BODY -> oversized();
        case BROKEN_HTTP -> brokenHttp();
        case HOSTILE_MEMBER_MESSAGE -> hostileMember();
      };
    }

    // --- refused: the body ---

    private Input randomBytes() {
      byte[] body = bytes(rnd.nextInt(4) == 0 ? rnd.nextInt(4) : rnd.nextInt(8192));
      boolean snap = rnd.nextBoolean();
      return post(Category.RANDOM_BYTES, body.length + " random bytes", snap, body);
    }

    private Input mutated() {
      List<Message> batch = new ArrayList<>();
      int n = 1 + rnd.nextInt(4);
      for (int i = 0; i < n; i++) {
        batch.add(benign());
      }
      byte[] body = frame(batch);
      String how;
      switch (rnd.nextInt(8)) {
        case 0 -> {
          int flips = 1 + rnd.nextInt(8);
          for (int i = 0; i < flips; i++) {
            body[rnd.nextInt(body.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
          how = flips + " bit flips";
        }
        case 1 -> {
          int keep = rnd.nextInt(body.length);
          body = Arrays.copyOf(body, keep);
          how = "truncated to " + keep;
        }
        case 2 -> {
          byte[] prefix = varint(batch.get(0).getSerializedSize());
          body = concat(prefix, body);
          how = "length prefix duplicated";
        }
        case 3 -> {
          body[0] = (byte) rnd.nextInt(256);
          how = "length prefix garbled";
        }
        case 4 -> {
          body = concat(varint(rnd.nextLong()), body);
          how = "random varint in front";
        }
        case 5 -> {
          body = concat(body, bytes(1 + rnd.nextInt(64)));
          how = "random tail";
        }
        case 6 -> {
          int from = rnd.nextInt(body.length);
          int to = Math.min(body.length, from + 1 + rnd.nextInt(16));
          body = concat(Arrays.copyOf(body, from), Arrays.copyOfRange(body, to, body.length));
          how = "bytes " + from + ".." + to + " removed";
        }
        default -> {
          int i = rnd.nextInt(body.length);
          int j = rnd.nextInt(body.length);
          byte t = body[i];
          body[i] = body[j];
          body[j] = t;
          how = "bytes " + i + " and " + j + " swapped";
        }
      }
      return post(Category.MUTATED_VALID_BODY, how, false, body);
    }

    private Input hugeLengthPrefix() {
      long[] lengths = {
        1L << 31, (1L << 31) - 1, 1L << 32, (1L << 32) + 5, 1L << 35, 1L << 63, -1L, MAX_MESSAGE_SIZE + 1L
      };
      long declared = lengths[rnd.nextInt(lengths.length)];
      byte[] body = concat(varint(declared), bytes(rnd.nextInt(200)));
      if (rnd.nextBoolean()) {
        body = concat(frame(List.of(benign())), body);
      }
      return post(Category.HUGE_LENGTH_PREFIX, "declares " + Long.toUnsignedString(declared), false, body);
    }

    private Input localOrUnknownType() {
      if (rnd.nextInt(3) == 0) {
        // A type number the schema does not know: parsed as an unknown field, the type stays unset.
        int type = 24 + rnd.nextInt(1000);
        byte[] msg = concat(new byte[] {0x08}, varint(type), benign().toBuilder().clearType().build().toByteArray());
        return post(Category.LOCAL_OR_UNKNOWN_TYPE, "type " + type, false, concat(varint(msg.length), msg))
            .withStatus(400);
      }
      MessageType t = LOCAL_TYPES[rnd.nextInt(LOCAL_TYPES.length)];
      Message m = member(t).setTerm(1 + rnd.nextInt(5)).build();
      if (rnd.nextInt(4) == 0) {
        // A local response riding along inside a normal message.
        m = benign().toBuilder().addResponses(m).build();
      }
      List<Message> batch = new ArrayList<>(List.of(benign(), m));
      if (rnd.nextBoolean()) {
        batch.remove(0);
      }
      return post(Category.LOCAL_OR_UNKNOWN_TYPE, t.name(), false, frame(batch)).withStatus(400);
    }

    private Input wrongEndpoint() {
      return switch (rnd.nextInt(3)) {
        case 0 -> post(Category.WRONG_ENDPOINT, "MsgSnap on /messages", false, frame(List.of(snapshot(false))))
            .withStatus(400);
        case 1 -> post(Category.WRONG_ENDPOINT, "no MsgSnap on /snapshot", true, frame(List.of(benign())))
            .withStatus(400);
        default -> post(
                Category.WRONG_ENDPOINT,
                "two MsgSnap on /snapshot",
                true,
                frame(List.of(snapshot(false), snapshot(false))))
            .withStatus(400);
      };
    }

    private Input absurdNumbers() {
      long v = ABSURD[rnd.nextInt(ABSURD.length)];
      Message.Builder m = benign().toBuilder();
      String field;
      switch (rnd.nextInt(9)) {
        case 0 -> {
          m.setTerm(v);
          field = "term";
        }
        case 1 -> {
          m.setLogTerm(v);
          field = "logTerm";
        }
        case 2 -> {
          m.setIndex(v);
          field = "index";
        }
        case 3 -> {
          m.setCommit(v);
          field = "commit";
        }
        case 4 -> {
          m.setRejectHint(v);
          field = "rejectHint";
        }
        case 5 -> {
          m = append(5, 1, 1).toBuilder();
          m.setEntries(0, m.getEntries(0).toBuilder().setTerm(v));
          field = "entry term";
        }
        case 6 -> {
          m = member(MessageType.MsgProp).addEntries(Entry.newBuilder().setIndex(v).setData(garbage()));
          field = "proposed entry index";
        }
        case 7 -> {
          // Term 0 is for forwarded proposals and reads only; a term on those is as wrong.
          MessageType[] termed = {
            MessageType.MsgApp, MessageType.MsgHeartbeat, MessageType.MsgVote, MessageType.MsgAppResp,
            MessageType.MsgTimeoutNow
          };
          m = member(termed[rnd.nextInt(termed.length)]).setTerm(0);
          field = m.getType() + " without a term";
          return post(Category.ABSURD_NUMBERS, field, false, frame(List.of(m.build()))).withStatus(400);
        }
        default -> {
          m =
              member(rnd.nextBoolean() ? MessageType.MsgProp : MessageType.MsgReadIndex)
                  .setTerm(1 + rnd.nextInt(100))
                  .addEntries(Entry.newBuilder().setData(garbage()));
          field = m.getType() + " with a term";
          return post(Category.ABSURD_NUMBERS, field, false, frame(List.of(m.build()))).withStatus(400);
        }
      }
      return post(Category.ABSURD_NUMBERS, field + "=" + Long.toUnsignedString(v), false, frame(List.of(m.build())))
          .withStatus(400);
    }

    private Input malformedEntries() {
      Message m;
      String what;
      switch (rnd.nextInt(6)) {
        case 0 -> {
          Message.Builder b = append(10 + rnd.nextInt(100), 2, 3).toBuilder();
          b.setEntries(1, b.getEntries(1).toBuilder().setIndex(b.getEntries(1).getIndex() + 1 + rnd.nextInt(1000)));
          m = b.build();
          what = "MsgApp entries with a gap";
        }
        case 1 -> {
          Message.Builder b = append(10 + rnd.nextInt(100), 3, 3).toBuilder();
          b.setEntries(2, b.getEntries(2).toBuilder().setTerm(1));
          b.setEntries(1, b.getEntries(1).toBuilder().setTerm(3));
          m = b.build();
          what = "MsgApp entry terms going down";
        }
        case 2 -> {
          Message.Builder b = append(10 + rnd.nextInt(100), 1, 3).toBuilder();
          b.setEntries(0, b.getEntries(0).toBuilder().setTerm(b.getTerm() + 1));
          m = b.build();
          what = "MsgApp entry newer than its message";
        }
        case 3 -> {
          m = member(MessageType.MsgProp).build();
          what = "MsgProp without entries";
        }
        case 4 -> {
          Message.Builder b = member(MessageType.MsgReadIndex);
          int n = rnd.nextBoolean() ? 0 : 2 + rnd.nextInt(3);
          for (int i = 0; i < n; i++) {
            b.addEntries(Entry.newBuilder().setData(garbage()));
          }
          m = b.build();
          what = "MsgReadIndex with " + n + " entries";
        }
        default -> {
          EntryType t = rnd.nextBoolean() ? EntryType.EntryConfChange : EntryType.EntryConfChangeV2;
          // 0xFF.. never parses: field 31, wire type 7 (invalid).
          ByteString bad = ByteString.copyFrom(concat(new byte[] {(byte) 0xFF}, bytes(rnd.nextInt(32))));
          if (rnd.nextBoolean()) {
            Message.Builder b = append(10 + rnd.nextInt(100), 1, 2).toBuilder();
            b.setEntries(0, b.getEntries(0).toBuilder().setType(t).setData(bad));
            m = b.build();
          } else {
            m = member(MessageType.MsgProp).addEntries(Entry.newBuilder().setType(t).setData(bad)).build();
          }
          what = m.getType() + " with an undecodable " + t;
        }
      }
      return post(Category.MALFORMED_ENTRIES, what, false, frame(List.of(m))).withStatus(400);
    }

    // --- refused: who sends to whom ---

    private Input wrongRecipient() {
      long[] others = {3, 0, -1L, 7, MEMBER};
      long to = others[rnd.nextInt(others.length)];
      if (rnd.nextBoolean()) {
        Message m = benign().toBuilder().setTo(to).build();
        return post(Category.WRONG_RECIPIENT, "message to " + Long.toUnsignedString(to), false, frame(List.of(m)))
            .withStatus(400);
      }
      Map<String, String> h = headers(MEMBER);
      h.put(RaftHeaders.TO, Long.toUnsignedString(to));
      return new Input(Category.WRONG_RECIPIENT, "Raft-To " + Long.toUnsignedString(to), path(false), h, frame(List.of(benign())), false, null, 400);
    }

    private Input nonMember() {
      long[] strangers = {7, 42, -1L, 1L << 40};
      long from = strangers[rnd.nextInt(strangers.length)];
      Message m = benign().toBuilder().setFrom(from).build();
      boolean snap = rnd.nextInt(4) == 0;
      if (snap) {
        m = snapshot(true).toBuilder().setFrom(from).build();
      }
      return new Input(
          Category.NON_MEMBER_SENDER,
          "from " + Long.toUnsignedString(from),
          path(snap),
          headers(from),
          frame(List.of(m)),
          false,
          null,
          403);
    }

    private Input selfAsSender() {
      Message m = benign().toBuilder().setFrom(SELF).build();
      if (rnd.nextBoolean()) {
        m = member(MessageType.MsgAppResp).setFrom(SELF).setTerm(currentTerm()).setIndex(1L << 40).build();
      }
      return new Input(
          Category.SELF_AS_SENDER, m.getType() + " from node 1 itself", path(false), headers(SELF), frame(List.of(m)), false, null, 400);
    }

    private Input fromNotSender() {
      long[] claims = {SELF, 3, 7, 0};
      long claimed = claims[rnd.nextInt(claims.length)];
      List<Message> batch = new ArrayList<>(List.of(benign(), benign().toBuilder().setFrom(claimed).build()));
      if (rnd.nextBoolean()) {
        batch.remove(0);
      }
      return post(Category.FROM_NOT_SENDER, "message from " + claimed + " in a request from 2", false, frame(batch))
          .withStatus(403);
    }

    private Input badHeaders() {
      Map<String, String> h = headers(MEMBER);
      String what;
      int status;
      switch (rnd.nextInt(12)) {
        case 0 -> {
          h.remove(RaftHeaders.SIGNATURE);
          what = "no signature";
          status = 401;
        }
        case 1 -> {
          h.put(RaftHeaders.SIGNATURE, new PeerAuthenticator(TOKEN + "x", CLUSTER)
              .signRequest(CLUSTER, MEMBER, SELF, RaftHeaders.MESSAGES_OPERATION, PeerAuthenticator.sha256(new byte[0])));
          what = "signature under another secret";
          status = 401;
        }
        case 2 -> {
          h.remove(RaftHeaders.SIGNATURE);
          h.put(RaftHeaders.LEGACY_TOKEN, TOKEN);
          what = "the secret itself, as older versions sent it";
          status = 401;
        }
        case 3 -> {
          h.remove(RaftHeaders.CLUSTER_ID);
          what = "no cluster id";
          status = 400;
        }
        case 4 -> {
          h.put(RaftHeaders.CLUSTER_ID, "other");
          what = "other cluster";
          // Signed with this cluster's key: it verifies, and the cluster id is refused. A node
          // of the other cluster would have another key and get 401.
          status = 403;
        }
        case 5 -> {
          h.remove(RaftHeaders.FROM);
          what = "no Raft-From";
          status = 400;
        }
        case 6 -> {
          h.remove(RaftHeaders.TO);
          what = "no Raft-To";
          status = 400;
        }
        case 7 -> {
          String[] junk = {"abc", "-1", "0", "", " ", "1e3", "18446744073709551616", "2;3", "0x2"};
          h.put(RaftHeaders.FROM, junk[rnd.nextInt(junk.length)]);
          what = "Raft-From '" + h.get(RaftHeaders.FROM) + "'";
          status = 400;
        }
        case 8 -> {
          String[] junk = {"one", "-1", "0", "1.0", "99999999999999999999"};
          h.put(RaftHeaders.TO, junk[rnd.nextInt(junk.length)]);
          what = "Raft-To '" + h.get(RaftHeaders.TO) + "'";
          status = 400;
        }
        case 9 -> {
          h.put(RaftHeaders.CLUSTER_ID, "x".repeat(20_000));
          what = "20 kB cluster id";
          status = 0;
        }
        case 10 -> {
          h.put(RaftHeaders.SIGNATURE, (rnd.nextBoolean() ? "v1=" : "") + new String(printable(1 + rnd.nextInt(300))));
          what = "random signature";
          status = 401;
        }
        default -> {
          h.clear();
          what = "no raft headers at all";
          status = 400;
        }
      }
      boolean snap = rnd.nextInt(3) == 0;
      byte[] body = frame(List.of(snap ? snapshot(true) : benign()));
      return new Input(Category.BAD_HEADERS, what, path(snap), h, body, false, null, status);
    }

    // --- refused: size ---

    private Input oversized() {
      boolean snap = rnd.nextBoolean();
      int limit = snap ? MAX_SNAPSHOT_SIZE : MAX_MESSAGE_SIZE;
      int size = limit + 1 + rnd.nextInt(limit);
      byte[] body;
      String what;
      if (rnd.nextBoolean()) {
        // One message whose framed size is over the limit.
        Message m =
            (snap ? snapshot(true) : benign()).toBuilder().setContext(ByteString.copyFrom(bytes(size))).build();
        body = frame(List.of(m));
        what = "one message of " + body.length + " bytes";
      } else {
        List<Message> batch = new ArrayList<>();
        int total = 0;
        while (total <= limit) {
          Message m = benign().toBuilder().setContext(ByteString.copyFrom(bytes(1000 + rnd.nextInt(3000)))).build();
          batch.add(m);
          total += CodedOutputStream.computeUInt32SizeNoTag(m.getSerializedSize()) + m.getSerializedSize();
        }
        body = frame(batch);
        what = batch.size() + " messages, " + body.length + " bytes";
        snap = false;
      }
      boolean chunked = rnd.nextBoolean();
      return new Input(
          Category.OVERSIZED_BODY, what + (chunked ? ", chunked" : ""), path(snap), headers(MEMBER), body, chunked, null, 413);
    }

    private Input brokenHttp() {
      String head = "POST " + path(false) + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + rawHeaders(MEMBER);
      byte[] valid = frame(List.of(benign()));
      String what;
      byte[] req;
      int status = 0;
      switch (rnd.nextInt(8)) {
        case 0 -> {
          req = bytes(head + "Content-Length: 9223372036854775807\r\n\r\n", valid);
          what = "Content-Length 2^63-1";
          status = 413;
        }
        case 1 -> {
          req = bytes(head + "Content-Length: 2147483648\r\n\r\n", valid);
          what = "Content-Length 2^31";
          status = 413;
        }
        case 2 -> {
          req = bytes(head + "Content-Length: 18446744073709551616\r\n\r\n", valid);
          what = "Content-Length 2^64";
        }
        case 3 -> {
          req = bytes(head + "Content-Length: -5\r\n\r\n", valid);
          what = "negative Content-Length";
        }
        case 4 -> {
          req = bytes(head + "Content-Length: " + (valid.length + 100) + "\r\n\r\n", valid);
          what = "body shorter than its Content-Length";
          status = 400;
        }
        case 5 -> {
          req = bytes(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", valid);
          what = "bad chunk size";
        }
        case 6 -> {
          req = bytes(head + "Transfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n", valid);
          what = "chunk of 2^63-1 bytes";
        }
        default -> {
          req = bytes("GET " + path(false) + " HTTP/1.1\r\nHost: x\r\n" + rawHeaders(MEMBER) + "\r\n", new byte[0]);
          what = "GET";
          status = 405;
        }
      }
      return new Input(Category.BROKEN_HTTP, what, path(false), Map.of(), new byte[0], false, req, status);
    }

    // --- accepted: well-formed, from a member, semantically hostile ---

    private Input hostileMember() {
      RaftStatus st = server.status();
      long term = st.term();
      long last = st.lastIndex();
      long commit = st.commit();
      // Far ahead at times, but never near 2^63: a term must still be able to grow by elections.
      boolean jump = rnd.nextInt(4) == 0 && term < (1L << 60);
      long higher = jump ? term + (1L << (20 + rnd.nextInt(26))) : term + 1 + rnd.nextInt(1000);
      long msgTerm = rnd.nextBoolean() ? term : higher;
      Message.Builder m;
      String what;
      switch (rnd.nextInt(13)) {
        case 0, 1 -> {
          // An append as a new leader would send it, matching or not, with garbage commands and a
          // commit far beyond what it carries.
          long prev = rnd.nextBoolean() ? last : commit + rnd.nextInt(5);
          long prevTerm = rnd.nextBoolean() ? term : rnd.nextInt(3);
          int n = rnd.nextInt(5);
          m = member(MessageType.MsgApp).setTerm(higher).setIndex(prev).setLogTerm(Math.min(prevTerm, higher));
          for (int i = 0; i < n; i++) {
            m.addEntries(Entry.newBuilder().setTerm(higher).setIndex(prev + 1 + i).setData(garbage()));
          }
          m.setCommit(rnd.nextBoolean() ? prev + n : (1L << 62));
          what = "MsgApp term +" + (higher - term) + " after " + prev + " with " + n + " garbage entries";
        }
        case 2 -> {
          long c = rnd.nextBoolean() ? last + 1 + rnd.nextInt(1000) : (1L << 62);
          m = member(MessageType.MsgHeartbeat).setTerm(msgTerm).setCommit(c).setContext(garbage());
          what = "MsgHeartbeat committing " + c + " of " + last;
        }
        case 3 -> {
          MessageType t = rnd.nextBoolean() ? MessageType.MsgVote : MessageType.MsgPreVote;
          m = member(t).setTerm(higher).setIndex(rnd.nextBoolean() ? 1L << 61 : 0).setLogTerm(rnd.nextBoolean() ? higher : 0);
          what = t + " at term +" + (higher - term);
        }
        case 4 -> {
          boolean reject = rnd.nextBoolean();
          long idx = rnd.nextBoolean() ? last + 1 + rnd.nextInt(1 << 20) : rnd.nextInt((int) Math.min(last + 1, 1 << 20));
          m =
              member(MessageType.MsgAppResp)
                  .setTerm(msgTerm)
                  .setIndex(idx)
                  .setReject(reject)
                  .setRejectHint(rnd.nextBoolean() ? 1L << 50 : rnd.nextInt(100))
                  .setLogTerm(rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(1L << 62));
          what = "MsgAppResp" + (reject ? " (reject)" : "") + " for index " + idx + " of " + last;
        }
        case 5 -> {
          m = member(MessageType.MsgHeartbeatResp).setTerm(msgTerm).setContext(garbage());
          what = "MsgHeartbeatResp nobody asked for";
        }
        case 6 -> {
          MessageType t = rnd.nextBoolean() ? MessageType.MsgVoteResp : MessageType.MsgPreVoteResp;
          m = member(t).setTerm(msgTerm).setReject(rnd.nextBoolean());
          what = t + " nobody asked for";
        }
        case 7 -> {
          m = member(MessageType.MsgProp);
          int n = 1 + rnd.nextInt(4);
          for (int i = 0; i < n; i++) {
            m.addEntries(Entry.newBuilder().setData(garbage()).setIndex(rnd.nextInt(100)).setTerm(rnd.nextInt(100)));
          }
          what = "forwarded MsgProp of " + n + " garbage commands";
        }
        case 8 -> {
          m = member(MessageType.MsgReadIndex).addEntries(Entry.newBuilder().setData(garbage()));
          what = "forwarded MsgReadIndex";
        }
        case 9 -> {
          m =
              member(MessageType.MsgReadIndexResp)
                  .setTerm(msgTerm)
                  .setIndex(rnd.nextBoolean() ? 1L << 55 : commit)
                  .addEntries(Entry.newBuilder().setData(garbage()));
          what = "MsgReadIndexResp nobody asked for";
        }
        case 10 -> {
          MessageType t = rnd.nextBoolean() ? MessageType.MsgTimeoutNow : MessageType.MsgTransferLeader;
          m = member(t).setTerm(msgTerm);
          what = t + " at term +" + (msgTerm - term);
        }
        default -> {
          // A snapshot far ahead of the log; half of them hold data that is not a raftboot snapshot.
          boolean wellFormed = rnd.nextBoolean();
          long index = rnd.nextBoolean() ? commit + 1 + rnd.nextInt(1000) : (1L << 40) + rnd.nextInt(1 << 20);
          Snapshot s =
              Snapshot.newBuilder()
                  .setMetadata(
                      SnapshotMetadata.newBuilder()
                          .setIndex(index)
                          .setTerm(higher)
                          .setConfState(ConfState.newBuilder().addVoters(SELF).addLearners(MEMBER)))
                  .setData(wellFormed ? runtimeSnapshot() : garbage())
                  .build();
          m = member(MessageType.MsgSnap).setTerm(higher).setSnapshot(s);
          Message msg = m.build();
          return new Input(
              Category.HOSTILE_MEMBER_MESSAGE,
              "MsgSnap at index " + index + (wellFormed ? "" : " with garbage data"),
              path(true),
              headers(MEMBER),
              frame(List.of(msg)),
              false,
              null,
              204);
        }
      }
      return post(Category.HOSTILE_MEMBER_MESSAGE, what, false, frame(List.of(m.build()))).withStatus(204);
    }

    /** The runtime's snapshot format (addresses, then state) holding a state KvTestApplication reads. */
    private ByteString runtimeSnapshot() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      try {
        for (long id : new long[] {SELF, MEMBER}) {
          byte[] url = ("http://127.0.0.1:" + (id == SELF ? port : memberPort)).getBytes(StandardCharsets.UTF_8);
          int len = CodedOutputStream.computeUInt64Size(1, id) + CodedOutputStream.computeByteArraySize(2, url);
          out.writeTag(1, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(len);
          out.writeUInt64(1, id);
          out.writeByteArray(2, url);
        }
        out.writeBytes(2, ByteString.copyFromUtf8("hostile\t" + rnd.nextInt() + "\n"));
        out.flush();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return ByteString.copyFrom(bytes.toByteArray());
    }

    // --- building blocks ---

    private long currentTerm() {
      return server.status().term();
    }

    /** A valid message of the member's that the node can take without harm: an old term. */
    private Message benign() {
      return switch (rnd.nextInt(3)) {
        case 0 -> append(1 + rnd.nextInt(1_000_000), rnd.nextInt(3), 1);
        case 1 -> member(MessageType.MsgHeartbeat).setTerm(1).setCommit(rnd.nextInt(3)).build();
        default -> member(MessageType.MsgHeartbeatResp).setTerm(1).build();
      };
    }

    /** A well-formed MsgApp at term 1 after {@code prev} with {@code n} contiguous entries. */
    private Message append(long prev, int n, long term) {
      Message.Builder m = member(MessageType.MsgApp).setTerm(term).setIndex(prev).setLogTerm(term).setCommit(prev);
      for (int i = 0; i < n; i++) {
        m.addEntries(Entry.newBuilder().setTerm(term).setIndex(prev + 1 + i).setData(garbage()));
      }
      return m.build();
    }

    private Message snapshot(boolean garbageData) {
      return member(MessageType.MsgSnap)
          .setTerm(1)
          .setSnapshot(
              Snapshot.newBuilder()
                  .setMetadata(
                      SnapshotMetadata.newBuilder()
                          .setIndex(1 + rnd.nextInt(10))
                          .setTerm(1)
                          .setConfState(ConfState.newBuilder().addVoters(SELF)))
                  .setData(garbageData ? garbage() : ByteString.EMPTY))
          .build();
    }

    private static Message.Builder member(MessageType t) {
      return Message.newBuilder().setType(t).setFrom(MEMBER).setTo(SELF);
    }

    private ByteString garbage() {
      return ByteString.copyFrom(bytes(rnd.nextInt(64)));
    }

    private byte[] bytes(int n) {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) rnd.nextInt(256);
      }
      return b;
    }

    private char[] printable(int n) {
      char[] c = new char[n];
      for (int i = 0; i < n; i++) {
        c[i] = (char) (0x21 + rnd.nextInt(0x7E - 0x21));
      }
      return c;
    }

    private Input post(Category c, String what, boolean snapshotPath, byte[] body) {
      return new Input(c, what, path(snapshotPath), headers(MEMBER), body, false, null, 0);
    }

    private static String path(boolean snapshot) {
      return "/raft" + (snapshot ? RaftHeaders.SNAPSHOT_PATH : RaftHeaders.MESSAGES_PATH);
    }

    private static Map<String, String> headers(long from) {
      Map<String, String> h = new LinkedHashMap<>();
      h.put(RaftHeaders.CLUSTER_ID, CLUSTER);
      h.put(RaftHeaders.FROM, Long.toUnsignedString(from));
      h.put(RaftHeaders.TO, Long.toString(SELF));
      h.put(RaftHeaders.SIGNATURE, SIGN);
      h.put("Content-Type", RaftHeaders.CONTENT_TYPE);
      return h;
    }

    private static String rawHeaders(long from) {
      StringBuilder sb = new StringBuilder();
      // Broken requests are refused before their signature matters: they go unsigned.
      headers(from).forEach((k, v) -> {
        if (!SIGN.equals(v)) {
          sb.append(k).append(": ").append(v).append("\r\n");
        }
      });
      return sb.toString();
    }

    private static byte[] bytes(String head, byte[] body) {
      return concat(head.getBytes(StandardCharsets.ISO_8859_1), body);
    }
  }

  static byte[] frame(List<Message> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (Message m : messages) {
        m.writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  static byte[] varint(long v) {
    byte[] b = new byte[CodedOutputStream.computeUInt64SizeNoTag(v)];
    CodedOutputStream out = CodedOutputStream.newInstance(b);
    try {
      out.writeUInt64NoTag(v);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return b;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
