package dev.raftboot.demo;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of one node's port for the traffic of its peers, which cuts the links from
 * chosen senders: the way a test partitions real processes, one direction at a time.
 *
 * <p>Every node's {@code raft.peers} entry for this node points at the proxy, so every node holds
 * the same address book (snapshots carry it). The sender of a connection is read from the
 * {@code Raft-From} header of its first request: a peer's HTTP client sends only its own requests
 * on a connection. A link from a node is cut by {@link #cut}: its open connections are reset and
 * new ones are held open without an answer, reading and dropping what arrives, as a lost network
 * would (the sender's request times out). {@link #heal} closes the held connections, and the
 * sender connects afresh. Cutting the link from A to B does not cut B to A: B's requests to A go
 * through A's proxy, and A's answers to them are only acknowledgements.
 *
 * <p>Thread-safe; one accepting thread, and two threads per open connection.
 */
final class PeerProxy implements Closeable {

  private static final int MAX_HEAD = 64 * 1024;

  private final int nodeId;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Long> cut = new HashSet<>();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** A connection from {@code from}; {@code upstream} is null while the link is cut. */
  private record Link(long from, Socket downstream, Socket upstream) {
    void close() {
      quietly(downstream);
      quietly(upstream);
    }
  }

  PeerProxy(int nodeId, int targetPort) throws IOException {
    this.nodeId = nodeId;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "proxy-" + nodeId);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The address the peers of this node send to. */
  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Cuts the link from {@code from} to this proxy's node. */
  synchronized void cut(long from) {
    cut.add(from);
    for (Link link : links) {
      if (link.from() == from) {
        link.close();
        links.remove(link);
      }
    }
  }

  /** Restores every link to this node. */
  synchronized void heal() {
    cut.clear();
    for (Link link : links) {
      if (link.upstream() == null) {
        link.close();
        links.remove(link);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    quietly(server);
    links.forEach(Link::close);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        daemon(() -> serve(socket), "proxy-" + nodeId + "-conn").start();
      } catch (IOException e) {
        if (!closed) {
          System.out.println("[crash] proxy of node " + nodeId + " stopped accepting: " + e);
        }
        return;
      }
    }
  }

  private void serve(Socket downstream) {
    try {
      InputStream in = downstream.getInputStream();
      byte[] head = readHead(in);
      long from = sender(head);
      Link link;
      synchronized (this) {
        if (cut.contains(from)) {
          link = new Link(from, downstream, null);
        } else {
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
          link = new Link(from, downstream, upstream);
        }
        links.add(link);
      }
      if (link.upstream() == null) {
        in.transferTo(OutputStream.nullOutputStream()); // lost, until healed or the sender gives up
        return;
      }
      OutputStream up = link.upstream().getOutputStream();
      up.write(head);
      up.flush();
      daemon(() -> pump(link.upstream(), downstream, link), "proxy-" + nodeId + "-back").start();
      pump(downstream, link.upstream(), link);
    } catch (IOException e) {
      // the sender, the node or a cut closed the connection
    } finally {
      quietly(downstream);
    }
  }

  private void pump(Socket source, Socket sink, Link link) {
    try {
      source.getInputStream().transferTo(sink.getOutputStream());
    } catch (IOException e) {
      // closed on either side
    } finally {
      link.close();
      links.remove(link);
    }
  }

  /** The bytes up to and including the end of the first request's header block. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4 && head.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the end of the request head");
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
    }
    return head.toByteArray();
  }

  /** The node id in the Raft-From header, or 0 when there is none. */
  private static long sender(byte[] head) {
    for (String line : new String(head, StandardCharsets.ISO_8859_1).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("raft-from")) {
        try {
          return Long.parseLong(line.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void quietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }
}
