package dev.raftboot.spring.transport;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The inbound side of the HTTP transport as a plain servlet, mapped to exactly {@code
 * <prefix>/messages}, {@code <prefix>/snapshot} and {@code <prefix>/identity} ({@link #mappings}).
 * Peer traffic is several requests per replicated command plus heartbeats, so it skips Spring MVC's
 * dispatching (handler mapping, message converters, argument resolution, exception advice): the
 * servlet reads the body stream and hands it, with the headers, to {@link PeerEndpoint}, which
 * checks everything and decides the answer, and writes that small fixed answer back.
 *
 * <p>The servlet container's filters still run first: the application's Spring Security chain,
 * Boot's observation filter ({@link PeerRequestObservationFilter} keeps peer requests out of it) and
 * any other filter mapped to {@code /*}. Thread-safe.
 */
public final class RaftPeerServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final String TEXT = "text/plain;charset=UTF-8";

  private final transient PeerEndpoint endpoint;
  private final String messagesPath;
  private final String snapshotPath;
  private final String identityPath;

  /**
   * @param receiver the node the messages are for
   * @param settings the size limits, the secret and the path prefix
   */
  public RaftPeerServlet(RaftMessageReceiver receiver, HttpTransportSettings settings) {
    this.endpoint = new PeerEndpoint(receiver, settings);
    this.messagesPath = settings.messagesPath();
    this.snapshotPath = settings.snapshotPath();
    this.identityPath = settings.identityPath();
  }

  /** The exact servlet mappings of the three endpoints under {@code settings}' prefix. */
  public static String[] mappings(HttpTransportSettings settings) {
    return new String[] {settings.messagesPath(), settings.snapshotPath(), settings.identityPath()};
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getServletPath();
    String method = request.getMethod();
    PeerEndpoint.RequestHeaders headers = request::getHeader;
    PeerEndpoint.Answer answer;
    if (path.equals(messagesPath) || path.equals(snapshotPath)) {
      if (!"POST".equals(method)) {
        notAllowed(response, "POST");
        return;
      }
      long length = request.getContentLengthLong();
      answer =
          path.equals(snapshotPath)
              ? endpoint.snapshot(headers, length, request.getInputStream())
              : endpoint.messages(headers, length, request.getInputStream());
    } else if (path.equals(identityPath)) {
      if (!"GET".equals(method)) {
        notAllowed(response, "GET");
        return;
      }
      answer = endpoint.identity(headers, request.getParameter(RaftHeaders.CHALLENGE));
    } else {
      // Only reachable when registered under other mappings than mappings().
      write(response, new PeerEndpoint.Answer(404, Map.of(), "no raft peer endpoint at " + path + "\n"));
      return;
    }
    write(response, answer);
  }

  private static void notAllowed(HttpServletResponse response, String allowed) throws IOException {
    response.setHeader("Allow", allowed);
    write(response, new PeerEndpoint.Answer(405, Map.of(), "only " + allowed + " is allowed here\n"));
  }

  private static void write(HttpServletResponse response, PeerEndpoint.Answer answer) throws IOException {
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    if (answer.text().isEmpty()) {
      return;
    }
    byte[] text = answer.text().getBytes(StandardCharsets.UTF_8);
    response.setContentType(TEXT);
    response.setContentLength(text.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(text);
    }
  }
}
