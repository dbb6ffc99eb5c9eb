package dev.raftboot.bench.cluster;

import dev.raftboot.bench.server.BenchKvStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one level of the closed-loop workload inside this server's JVM, against the replicated
 * command itself ({@link BenchKvStore#put} through the starter's proxy, as application code on the
 * leader would call it): {@code POST /bench/run?library=..&setup=..&c=..&warmup=..&measure=..
 * &pids=1,2,3} answers the result row as one TSV line once the level has finished. The load
 * driver is the same as the HTTP client's; CPU is read from {@code /proc} for the given server
 * pids, so this JVM's load generation counts as server CPU.
 */
public final class EmbeddedLoadServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient BenchKvStore store;

  public EmbeddedLoadServlet(BenchKvStore store) {
    this.store = store;
  }

  @Override
  protected synchronized void doPost(HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    List<Long> pids = new ArrayList<>();
    for (String p : req.getParameter("pids").split(",")) {
      pids.add(Long.parseLong(p.trim()));
    }
    PutChannel channel =
        (key, value, done) ->
            store
                .put(new String(key, StandardCharsets.US_ASCII), value)
                .whenComplete((v, e) -> done.accept(e == null ? null : e.toString()));
    Row row;
    try (LoadDriver driver = new LoadDriver(() -> channel)) {
      row =
          driver.run(
              req.getParameter("library"),
              req.getParameter("setup"),
              Integer.parseInt(req.getParameter("c")),
              Integer.parseInt(req.getParameter("warmup")),
              Integer.parseInt(req.getParameter("measure")),
              pids);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "interrupted");
      return;
    }
    byte[] body = (row.tsv() + "\n").getBytes(StandardCharsets.UTF_8);
    resp.setContentType("text/tab-separated-values;charset=UTF-8");
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }
}
