package dev.raftboot.spring.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The peer connection against a scripted HTTP/1.1 server on a raw socket. */
class PeerConnectionTests {

  /** Answers each request with the next scripted response; null means "never answer". */
  private final BlockingQueue<String> script = new LinkedBlockingQueue<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final ServerSocket server;
  private final Thread acceptor;

  PeerConnectionTests() throws IOException {
    server = new ServerSocket(0);
    acceptor = new Thread(this::accept, "scripted-http");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void close() throws IOException {
    server.close();
  }

  private void accept() {
    try {
      while (true) {
        Socket s = server.accept();
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s));
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException e) {
      // closed
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        byte[] body = in.readNBytes(length);
        requests.add(head + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8));
        String response = script.poll(5, TimeUnit.SECONDS);
        if (response == null || response.equals("SILENCE")) {
          Thread.sleep(5000);
          return;
        }
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (response.contains("Connection: close")) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // client went away
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    for (int c; (c = in.read()) >= 0; ) {
      b.write(c);
      matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
      if (matched == 4) {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
      }
    }
    return null;
  }

  /** Posts {@code body} the way the sender does: laid out in one request, signed in place. */
  private static String post(PeerConnection c, byte[] body, String signature) throws IOException {
    PeerConnection.Request r = c.request(body.length, signature == null ? 0 : signature.length());
    System.arraycopy(body, 0, r.bytes(), r.bodyOffset(), body.length);
    if (signature != null) {
      r.sign(signature);
    }
    return c.post(r);
  }

  private PeerConnection connection(Duration requestTimeout) {
    URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/raft/messages");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Raft-From", "1");
    headers.put("Raft-To", "2");
    return new PeerConnection(uri, headers, Duration.ofSeconds(1), requestTimeout, null, null, new AtomicLong());
  }

  @Test
  void signsOnlyInTheRoomMadeForTheSignature() {
    PeerConnection c = connection(Duration.ofSeconds(5));
    PeerConnection.Request unsigned = c.request(1, 0);
    PeerConnection.Request signed = c.request(1, PeerAuthenticator.SIGNATURE_LENGTH);

    assertThatThrownBy(() -> unsigned.sign("v1=x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> signed.sign("v1=short")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> signed.sign("\r\n".repeat(PeerAuthenticator.SIGNATURE_LENGTH / 2) + "x"))
        .isInstanceOf(IllegalArgumentException.class);
    // Room left empty would send a blank header: refused before anything is written.
    assertThatThrownBy(() -> c.post(signed)).isInstanceOf(IllegalArgumentException.class);
    assertThat(connections.get()).isZero();
  }

  @Test
  void makesRoomForExactlyTheSignaturesTheAuthenticatorMakes() {
    String signature =
        new PeerAuthenticator("secret", "c1").signRequest("c1", 1, 2, RaftHeaders.MESSAGES_OPERATION, new byte[32]);

    assertThat(signature).hasSize(PeerAuthenticator.SIGNATURE_LENGTH);
  }

  @Test
  void postsWithHeadersAndBodyAndKeepsTheConnection() throws IOException {
    script.add("HTTP/1.1 204 No Content\r\n\r\n");
    script.add("HTTP/1.1 204 No Content\r\n\r\n");
    try (PeerConnection c = connection(Duration.ofSeconds(5))) {
      assertThat(post(c, "first".getBytes(StandardCharsets.UTF_8), null)).isNull();
      assertThat(post(c, "second".getBytes(StandardCharsets.UTF_8), "v1=c2lnbmVk")).isNull();
    }
    assertThat(connections.get()).isEqualTo(1);
    assertThat(requests.get(0))
        .startsWith("POST /raft/messages HTTP/1.1\r\n")
        .contains("Host: 127.0.0.1:" + server.getLocalPort() + "\r\n")
        .contains("Raft-From: 1\r\nRaft-To: 2\r\nContent-Length: 5\r\n")
        .endsWith("\r\n\r\nfirst");
    assertThat(requests.get(1))
        .contains("Raft-To: 2\r\nRaft-Signature: v1=c2lnbmVk\r\nContent-Length: 6\r\n")
        .endsWith("second");
  }

  @Test
  void reportsARefusalWithItsStatusAndReasonFromAFixedOrChunkedBody() throws IOException {
    script.add("HTTP/1.1 403 Forbidden\r\nContent-Length: 11\r\n\r\nnot member\n");
    script.add(
        "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbad \r\n4;x=y\r\nbody\r\n0\r\n\r\n");
    script.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    try (PeerConnection c = connection(Duration.ofSeconds(5))) {
      assertThat(post(c, new byte[1], null)).isEqualTo("HTTP 403 not member");
      assertThat(post(c, new byte[1], null)).isEqualTo("HTTP 400 bad body");
      assertThat(post(c, new byte[1], null)).isNull();
    }
    assertThat(connections.get()).isEqualTo(1);
  }

  @Test
  void opensANewConnectionAfterTheServerClosedOne() throws IOException {
    script.add("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    script.add("HTTP/1.1 204 No Content\r\n\r\n");
    try (PeerConnection c = connection(Duration.ofSeconds(5))) {
      assertThat(post(c, new byte[1], null)).isNull();
      assertThat(c.isOpen()).isFalse();
      assertThat(post(c, new byte[1], null)).isNull();
      assertThat(c.isOpen()).isTrue();
    }
    assertThat(connections.get()).isEqualTo(2);
  }

  @Test
  void timesOutWhenThePeerDoesNotAnswerAndClosesTheConnection() {
    script.add("SILENCE");
    PeerConnection c = connection(Duration.ofMillis(200));
    assertThatThrownBy(() -> post(c, new byte[1], null)).isInstanceOf(SocketTimeoutException.class);
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void refusesAnAnswerThatIsNotHttp() {
    script.add("SSH-2.0-OpenSSH\r\n\r\n");
    PeerConnection c = connection(Duration.ofSeconds(5));
    assertThatThrownBy(() -> post(c, new byte[1], null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an HTTP/1.x response");
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void refusesHeaderValuesWithLineBreaks() {
    URI uri = URI.create("http://127.0.0.1:1/raft/messages");
    Map<String, String> headers = Map.of("Raft-Cluster-Id", "a\r\nX-Injected: b");
    assertThatThrownBy(
            () -> new PeerConnection(uri, headers, Duration.ofSeconds(1), Duration.ofSeconds(1), null, null, new AtomicLong()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
