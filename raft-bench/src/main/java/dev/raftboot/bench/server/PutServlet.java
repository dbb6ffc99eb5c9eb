package dev.raftboot.bench.server;

import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.api.RaftOperations;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The client endpoint: {@code PUT /kv/{key}} with the raw value as body answers {@code 204} once
 * the put is committed and applied on this node, {@code 503} (body: the reason) when it was not.
 * {@code GET /kv} answers this node's view of the leader as {@code <id> <url>}.
 *
 * <p>A plain servlet rather than a Spring MVC controller, which would add its own per-request cost
 * on top of the same raft path. Asynchronous by default ({@code bench.put=async}): the request
 * thread returns at once and the response is written by whichever thread completes the replicated
 * call. With {@code bench.put=sync} the request thread calls the blocking command and writes the
 * response itself, as a typical application controller does (one container thread per outstanding
 * put: size {@code server.tomcat.threads.max} for the concurrency). With {@code bench.put=none} it
 * answers {@code 204} at once without a replicated call: what the client's HTTP path alone costs
 * on the machine, the ceiling of any row measured through it.
 */
final class PutServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final int MAX_VALUE = 64 * 1024;

  private final transient BenchKvStore store;
  private final transient RaftOperations raft;
  private final Mode mode;

  /** How a put is answered ({@code bench.put}). */
  enum Mode {
    /** The request thread returns; the thread that completes the put writes the response. */
    ASYNC,
    /** The request thread waits for the put and answers. */
    SYNC,
    /** No put: answered at once, to measure the client's HTTP path alone. */
    NONE
  }

  PutServlet(BenchKvStore store, RaftOperations raft, Mode mode) {
    this.store = store;
    this.raft = raft;
    this.mode = mode;
  }

  @Override
  protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo();
    if (path == null || path.length() < 2) {
      send(resp, HttpServletResponse.SC_BAD_REQUEST, "PUT /kv/{key}");
      return;
    }
    String key = path.substring(1);
    int length = req.getContentLength();
    if (length < 0 || length > MAX_VALUE) {
      send(resp, HttpServletResponse.SC_BAD_REQUEST, "a value of 0 to " + MAX_VALUE + " bytes");
      return;
    }
    byte[] value = new byte[length];
    try (InputStream in = req.getInputStream()) {
      int n = in.readNBytes(value, 0, length);
      if (n != length) {
        send(resp, HttpServletResponse.SC_BAD_REQUEST, "short body");
        return;
      }
    }
    if (mode == Mode.NONE) {
      resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
      return;
    }
    if (mode == Mode.SYNC) {
      putAndWait(key, value, resp);
      return;
    }
    CompletableFuture<Void> put;
    try {
      put = store.put(key, value);
    } catch (RuntimeException e) {
      send(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.toString());
      return;
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(0);
    put.whenComplete(
        (v, error) -> {
          HttpServletResponse r = (HttpServletResponse) async.getResponse();
          try {
            if (error == null) {
              r.setStatus(HttpServletResponse.SC_NO_CONTENT);
              // Written here, by the thread that completed the put: complete() alone would leave
              // the write to a container thread it wakes, one more hand-off before the client.
              r.flushBuffer();
            } else {
              int status =
                  error instanceof NoLeaderException
                      ? HttpServletResponse.SC_SERVICE_UNAVAILABLE
                      : HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
              send(r, status, error.toString());
            }
          } catch (IOException | RuntimeException e) {
            // The client went away; nothing to tell.
          } finally {
            async.complete();
          }
        });
  }

  private void putAndWait(String key, byte[] value, HttpServletResponse resp) throws IOException {
    try {
      store.putAndWait(key, value);
    } catch (NoLeaderException e) {
      send(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.toString());
      return;
    } catch (RuntimeException e) {
      send(resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, e.toString());
      return;
    }
    resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Optional<RaftMember> leader = raft.leader();
    if (leader.isEmpty()) {
      send(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "no leader");
    } else {
      send(resp, HttpServletResponse.SC_OK, leader.get().id() + " " + leader.get().url());
    }
  }

  private static void send(HttpServletResponse resp, int status, String text) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType("text/plain;charset=UTF-8");
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }
}
