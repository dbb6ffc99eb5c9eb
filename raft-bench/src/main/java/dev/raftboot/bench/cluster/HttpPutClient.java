package dev.raftboot.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 client for one kind of request, {@code PUT /kv/{key}} with a binary body, that
 * keeps the load generator's own CPU use low: one selector thread, one keep-alive connection per
 * {@link Conn} (one per virtual client, each with at most one request in flight; HTTP/1.1 has no
 * multiplexing), requests written straight from reused buffers, responses parsed only as far as
 * status line, {@code Content-Length} and {@code Connection: close}.
 *
 * <p>Callbacks run on the selector thread; a callback may call {@link #put} again for the same
 * connection. {@link #put} from any other thread hands the request to the selector thread.
 */
final class HttpPutClient implements AutoCloseable {

  /** Outcome of one request: the HTTP status, or an I/O failure (then status is 0). */
  interface Callback {
    void done(int status, IOException failure);
  }

  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

  private final InetSocketAddress target;
  private final byte[] requestPrefix;
  private final byte[] requestMiddle;
  private final Selector selector;
  private final Thread loop;
  private final ConcurrentLinkedQueue<Conn> handOver = new ConcurrentLinkedQueue<>();
  private final List<Conn> conns = new ArrayList<>();
  private volatile boolean running = true;

  HttpPutClient(InetSocketAddress target) throws IOException {
    this.target = target;
    this.requestPrefix = "PUT /kv/".getBytes(StandardCharsets.US_ASCII);
    this.requestMiddle =
        (" HTTP/1.1\r\nHost: " + target.getHostString() + ":" + target.getPort()
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: ")
            .getBytes(StandardCharsets.US_ASCII);
    this.selector = Selector.open();
    this.loop = new Thread(this::run, "http-put-client");
    this.loop.setDaemon(true);
    this.loop.start();
  }

  /** A new virtual client's connection (opened on its first request). */
  synchronized Conn newConnection() {
    Conn c = new Conn();
    synchronized (conns) {
      conns.add(c);
    }
    return c;
  }

  /**
   * Sends {@code PUT /kv/{key}} with {@code value} on {@code c}, which must have no request in
   * flight; {@code cb} is called once with the outcome.
   */
  void put(Conn c, byte[] key, byte[] value, Callback cb) {
    c.prepare(key, value, cb);
    if (Thread.currentThread() == loop) {
      c.start();
    } else {
      handOver.add(c);
      selector.wakeup();
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      loop.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    long nextTimeoutCheck = System.nanoTime();
    try {
      while (running) {
        selector.select(100);
        for (Conn c; (c = handOver.poll()) != null; ) {
          c.start();
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          Conn c = (Conn) k.attachment();
          if (!k.isValid()) {
            continue;
          }
          try {
            if (k.isConnectable()) {
              c.ch.finishConnect();
              k.interestOps(SelectionKey.OP_READ);
              c.write();
            } else {
              if (k.isWritable()) {
                c.write();
              }
              if (k.isValid() && k.isReadable()) {
                c.read();
              }
            }
          } catch (IOException e) {
            c.fail(e);
          }
        }
        long now = System.nanoTime();
        if (now - nextTimeoutCheck > 0) {
          nextTimeoutCheck = now + TimeUnit.MILLISECONDS.toNanos(100);
          synchronized (conns) {
            for (Conn c : conns) {
              if (c.inFlight && now - c.sentAt > TIMEOUT_NANOS) {
                c.fail(new IOException("no response within 10 s"));
              }
            }
          }
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      if (running) {
        e.printStackTrace();
      }
    } finally {
      synchronized (conns) {
        for (Conn c : conns) {
          c.closeChannel();
        }
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** One keep-alive connection with at most one request in flight. */
  final class Conn {
    private SocketChannel ch;
    private SelectionKey key;
    private final ByteBuffer out = ByteBuffer.allocate(512);
    private ByteBuffer in = ByteBuffer.allocate(1024);
    private Callback cb;
    /** Selector thread only: a request was started and has not completed. */
    private boolean inFlight;
    private long sentAt;

    private void prepare(byte[] k, byte[] value, Callback callback) {
      if (cb != null) {
        throw new IllegalStateException("a request is already in flight on this connection");
      }
      int need = requestPrefix.length + k.length + requestMiddle.length + 16 + value.length;
      if (need > out.capacity()) {
        throw new IllegalArgumentException("request too large for the client buffer");
      }
      out.clear();
      out.put(requestPrefix).put(k).put(requestMiddle);
      out.put(Integer.toString(value.length).getBytes(StandardCharsets.US_ASCII));
      out.put((byte) '\r').put((byte) '\n').put((byte) '\r').put((byte) '\n');
      out.put(value);
      out.flip();
      cb = callback;
    }

    /** On the selector thread: connect if needed, then write. */
    private void start() {
      sentAt = System.nanoTime();
      inFlight = true;
      try {
        if (ch == null || !ch.isOpen()) {
          ch = SocketChannel.open();
          ch.configureBlocking(false);
          ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
          in.clear();
          if (ch.connect(target)) {
            key = ch.register(selector, SelectionKey.OP_READ, this);
            write();
          } else {
            key = ch.register(selector, SelectionKey.OP_CONNECT, this);
          }
        } else {
          write();
        }
      } catch (IOException e) {
        fail(e);
      }
    }

    private void write() throws IOException {
      if (!out.hasRemaining()) {
        return;
      }
      ch.write(out);
      if (out.hasRemaining()) {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      } else if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
        key.interestOps(SelectionKey.OP_READ);
      }
    }

    private void read() throws IOException {
      if (!in.hasRemaining()) {
        ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
        in.flip();
        bigger.put(in);
        in = bigger;
      }
      int n = ch.read(in);
      if (n < 0) {
        if (inFlight) {
          throw new IOException("connection closed by the server");
        }
        closeChannel();
        return;
      }
      parse();
    }

    /** Completes the request once its whole response is in the buffer. */
    private void parse() {
      byte[] a = in.array();
      int len = in.position();
      int headerEnd = indexOf(a, len, HEADER_END);
      if (headerEnd < 0) {
        return;
      }
      if (len < 12 || a[0] != 'H') {
        fail(new IOException("not an HTTP response"));
        return;
      }
      int status = (a[9] - '0') * 100 + (a[10] - '0') * 10 + (a[11] - '0');
      long contentLength = 0;
      boolean close = false;
      int lineStart = indexOf(a, headerEnd, new byte[] {'\r', '\n'}) + 2;
      while (lineStart < headerEnd) {
        int lineEnd = lineStart;
        while (lineEnd < headerEnd && a[lineEnd] != '\r') {
          lineEnd++;
        }
        if (startsWithIgnoreCase(a, lineStart, lineEnd, "content-length:")) {
          contentLength = Long.parseLong(trim(a, lineStart + 15, lineEnd));
        } else if (startsWithIgnoreCase(a, lineStart, lineEnd, "connection:")) {
          close = trim(a, lineStart + 11, lineEnd).equalsIgnoreCase("close");
        } else if (startsWithIgnoreCase(a, lineStart, lineEnd, "transfer-encoding:")) {
          fail(new IOException("chunked responses are not supported"));
          return;
        }
        lineStart = lineEnd + 2;
      }
      long total = headerEnd + 4 + contentLength;
      if (len < total) {
        return;
      }
      in.clear();
      Callback done = cb;
      cb = null;
      inFlight = false;
      if (close) {
        closeChannel();
      }
      if (done != null) {
        done.done(status, null);
      }
    }

    private void fail(IOException e) {
      closeChannel();
      Callback done = cb;
      cb = null;
      inFlight = false;
      if (done != null) {
        done.done(0, e);
      }
    }

    private void closeChannel() {
      if (key != null) {
        key.cancel();
        key = null;
      }
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // gone anyway
        }
        ch = null;
      }
      in.clear();
    }
  }

  private static int indexOf(byte[] a, int len, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= len; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (a[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static boolean startsWithIgnoreCase(byte[] a, int from, int to, String prefix) {
    if (to - from < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (Character.toLowerCase((char) a[from + i]) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static String trim(byte[] a, int from, int to) {
    return new String(a, from, to - from, StandardCharsets.US_ASCII).trim();
  }
}
