package dev.raftboot.spring.transport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * One keep-alive HTTP/1.1 connection to a peer for {@code POST}s of message batches, used by the
 * peer's single sender thread. A blocking socket written and read by that thread: each request
 * is one array ({@link #request}) written with one call, then the reads of its response, with
 * none of the thread hand-offs of the JDK {@code HttpClient}, which roughly halves the time of a
 * small request on loopback.
 *
 * <p>Not thread-safe. The connection is opened on the first request and again after any failure
 * or a response that closes it. Over {@code https} the peer's certificate is verified against the
 * URL's host name, as the JDK client does.
 */
final class PeerConnection implements AutoCloseable {

  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};
  private static final byte[] SIGNATURE =
      (RaftHeaders.SIGNATURE + ": ").getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] CRLF = {'\r', '\n'};

  private final URI uri;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final @Nullable SSLContext sslContext;
  private final @Nullable SSLParameters sslParameters;
  private final byte[] head;
  private final AtomicLong opened;
  // Written by the sender thread; close() may come from another thread to unblock a read.
  private volatile @Nullable Streams streams;

  private record Streams(Socket socket, InputStream in, OutputStream out) {}

  /**
   * @param uri where to post: {@code http(s)://host[:port]/path}
   * @param headers headers sent with every request, in order
   * @param sslContext for {@code https} URIs
   * @param sslParameters protocols and ciphers for {@code https}, or null for the context's
   * @param opened counts the connections this opens
   */
  PeerConnection(
      URI uri,
      Map<String, String> headers,
      Duration connectTimeout,
      Duration requestTimeout,
      @Nullable SSLContext sslContext,
      @Nullable SSLParameters sslParameters,
      AtomicLong opened) {
    this.uri = uri;
    this.opened = opened;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.sslContext = sslContext;
    this.sslParameters = sslParameters;
    StringBuilder sb = new StringBuilder();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    sb.append("POST ").append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(uri.getHost());
    if (uri.getPort() != -1) {
      sb.append(':').append(uri.getPort());
    }
    sb.append("\r\n");
    headers.forEach(
        (name, value) -> {
          String line = name + ": " + value;
          if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + " contains a line break");
          }
          sb.append(line).append("\r\n");
        });
    this.head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * A request laid out in one array, so that it is written with one call and its body is encoded
   * in place: this connection's head, room for a {@value RaftHeaders#SIGNATURE} line of {@code
   * signatureLength} characters (none if 0), the {@code Content-Length}, then {@code bodyLength}
   * bytes for the caller to fill from {@link Request#bodyOffset()}.
   */
  Request request(int bodyLength, int signatureLength) {
    byte[] length = Integer.toString(bodyLength).getBytes(StandardCharsets.ISO_8859_1);
    int signatureLine = signatureLength == 0 ? 0 : SIGNATURE.length + signatureLength + CRLF.length;
    int bodyOffset = head.length + signatureLine + CONTENT_LENGTH.length + length.length + CRLF_CRLF.length;
    byte[] bytes = new byte[Math.addExact(bodyOffset, bodyLength)];
    int at = put(bytes, 0, head);
    int signatureOffset = -1;
    if (signatureLength != 0) {
      at = put(bytes, at, SIGNATURE);
      signatureOffset = at;
      at = put(bytes, at + signatureLength, CRLF);
    }
    at = put(bytes, at, CONTENT_LENGTH);
    at = put(bytes, at, length);
    put(bytes, at, CRLF_CRLF);
    return new Request(bytes, bodyOffset, signatureOffset, signatureLength);
  }

  private static int put(byte[] into, int at, byte[] what) {
    System.arraycopy(what, 0, into, at, what.length);
    return at + what.length;
  }

  /** A request made by {@link #request}; its body is filled and then signed by the caller. */
  static final class Request {
    private final byte[] bytes;
    private final int bodyOffset;
    private final int signatureOffset;
    private final int signatureLength;
    private boolean signed;

    private Request(byte[] bytes, int bodyOffset, int signatureOffset, int signatureLength) {
      this.bytes = bytes;
      this.bodyOffset = bodyOffset;
      this.signatureOffset = signatureOffset;
      this.signatureLength = signatureLength;
    }

    /** The whole request; the body is {@code bytes()[bodyOffset(), bytes().length)}. */
    byte[] bytes() {
      return bytes;
    }

    int bodyOffset() {
      return bodyOffset;
    }

    int bodyLength() {
      return bytes.length - bodyOffset;
    }

    /**
     * Writes the signature into the room made for it.
     *
     * @throws IllegalArgumentException if it is not of the length the room was made for, or
     *     holds a character that cannot be sent in a header
     */
    void sign(String signature) {
      if (signatureOffset < 0 || signature.length() != signatureLength) {
        throw new IllegalArgumentException(
            "signature of " + signature.length() + " characters, room for " + signatureLength);
      }
      for (int i = 0; i < signatureLength; i++) {
        char c = signature.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          throw new IllegalArgumentException("signature contains a character that is not printable ASCII");
        }
        bytes[signatureOffset + i] = (byte) c;
      }
      signed = true;
    }
  }

  /**
   * Posts {@code request}; returns null on a 2xx answer, otherwise the status and the start of the
   * answer's text.
   *
   * @throws IllegalArgumentException if the request has room for a signature but was not signed
   * @throws IOException if the request could not be sent or the answer not read; the connection
   *     is closed then
   */
  @Nullable String post(Request request) throws IOException {
    if (request.signatureOffset >= 0 && !request.signed) {
      throw new IllegalArgumentException("request has room for a signature but was not signed");
    }
    try {
      Streams st = streams;
      if (st == null) {
        st = open();
      }
      OutputStream o = st.out();
      o.write(request.bytes);
      o.flush();
      return readResponse(st.in());
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Streams open() throws IOException {
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      s.connect(new InetSocketAddress(uri.getHost(), port), timeoutMillis(connectTimeout));
      // The connect timeout covers the TLS handshake too; reads of answers get the request timeout.
      s.setSoTimeout(timeoutMillis(connectTimeout));
      if (tls) {
        SSLContext context = sslContext != null ? sslContext : SSLContext.getDefault();
        SSLSocket ssl =
            (SSLSocket) context.getSocketFactory().createSocket(s, uri.getHost(), port, true);
        SSLParameters p = sslParameters != null ? sslParameters : context.getDefaultSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        s = ssl;
      }
      s.setSoTimeout(timeoutMillis(requestTimeout));
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    } catch (java.security.NoSuchAlgorithmException e) {
      s.close();
      throw new IOException("no default TLS context", e);
    }
    Streams st =
        new Streams(
            s,
            new BufferedInputStream(s.getInputStream(), 8192),
            // Each request is one array written at once (see request()): no buffer needed.
            s.getOutputStream());
    streams = st;
    opened.incrementAndGet();
    return st;
  }

  private static int timeoutMillis(Duration d) {
    long ms = d.toMillis();
    return ms <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, ms);
  }

  private @Nullable String readResponse(InputStream i) throws IOException {
    String statusLine = readLine(i);
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new IOException("not an HTTP/1.x response: " + abbreviate(statusLine));
    }
    int status;
    try {
      status = Integer.parseInt(statusLine.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("bad status line: " + abbreviate(statusLine));
    }
    long contentLength = -1;
    boolean chunked = false;
    boolean close = statusLine.startsWith("HTTP/1.0");
    int headerBytes = statusLine.length();
    for (String line = readLine(i); !line.isEmpty(); line = readLine(i)) {
      headerBytes += line.length();
      if (headerBytes > MAX_HEADER_BYTES) {
        throw new IOException("response headers longer than " + MAX_HEADER_BYTES + " bytes");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> {
          try {
            contentLength = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length: " + abbreviate(value));
          }
        }
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> close |= value.equalsIgnoreCase("close");
        default -> {}
      }
    }
    boolean bodyless = status == 204 || status == 304 || (status >= 100 && status < 200);
    String text;
    if (bodyless) {
      text = "";
    } else if (chunked) {
      text = readChunked(i);
    } else if (contentLength >= 0) {
      text = readFixed(i, contentLength);
    } else {
      text = readToEnd(i);
      close = true;
    }
    if (close) {
      close();
    }
    if (status >= 200 && status < 300) {
      return null;
    }
    return "HTTP " + status + (text.isBlank() ? "" : " " + abbreviate(text));
  }

  private static String readFixed(InputStream i, long length) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    skipOrKeep(i, length, kept);
    return kept.toString(StandardCharsets.UTF_8);
  }

  private static String readChunked(InputStream i) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(i);
      int semicolon = sizeLine.indexOf(';');
      long size;
      try {
        size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + abbreviate(sizeLine));
      }
      if (size == 0) {
        while (!readLine(i).isEmpty()) {
          // trailers
        }
        return kept.toString(StandardCharsets.UTF_8);
      }
      skipOrKeep(i, size, kept);
      readLine(i);
    }
  }

  private static String readToEnd(InputStream i) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    for (int n; (n = i.read(buf)) >= 0; ) {
      if (kept.size() < MAX_ERROR_BODY) {
        kept.write(buf, 0, Math.min(n, MAX_ERROR_BODY - kept.size()));
      }
    }
    return kept.toString(StandardCharsets.UTF_8);
  }

  /** Reads {@code length} bytes, keeping the first {@link #MAX_ERROR_BODY} of them. */
  private static void skipOrKeep(InputStream i, long length, ByteArrayOutputStream kept)
      throws IOException {
    byte[] buf = new byte[4096];
    long left = length;
    while (left > 0) {
      int n = i.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new EOFException("connection closed inside a response body");
      }
      if (kept.size() < MAX_ERROR_BODY) {
        kept.write(buf, 0, Math.min(n, MAX_ERROR_BODY - kept.size()));
      }
      left -= n;
    }
  }

  private static String readLine(InputStream i) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int b = i.read();
      if (b < 0) {
        throw new EOFException("connection closed by the peer");
      }
      if (b == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      if (sb.length() >= MAX_HEADER_BYTES) {
        throw new IOException("response line longer than " + MAX_HEADER_BYTES + " bytes");
      }
      sb.append((char) b);
    }
  }

  private static String abbreviate(String s) {
    String oneLine = s.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
  }

  /** Whether a connection is open (for tests and diagnostics). */
  boolean isOpen() {
    return streams != null;
  }

  @Override
  public String toString() {
    return "connection to " + uri;
  }

  /** Closes the connection; safe from any thread, and unblocks a request in progress. */
  @Override
  public void close() {
    Streams st = streams;
    streams = null;
    if (st != null) {
      try {
        st.socket().close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
