package dev.raftboot.spring.actuate.endpoint;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets {@code curl -X POST .../actuator/raft/snapshot}, a POST without body or content type, reach
 * the snapshot operation. The endpoint's write operation also takes a JSON body (for the other
 * resources), so the actuator maps it only for JSON requests and would answer a bodiless POST with
 * 415. This filter presents such a request as one with the empty JSON object {@code {}}; every
 * other request passes unchanged.
 */
public final class SnapshotRequestFilter extends OncePerRequestFilter {

  private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

  private final String snapshotPath;

  /** @param actuatorBasePath {@code management.endpoints.web.base-path}, e.g. {@code /actuator} */
  public SnapshotRequestFilter(String actuatorBasePath) {
    String base = actuatorBasePath.endsWith("/") ? actuatorBasePath.substring(0, actuatorBasePath.length() - 1) : actuatorBasePath;
    this.snapshotPath = base + "/raft/" + RaftEndpoint.SNAPSHOT;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return !"POST".equals(request.getMethod())
        || !snapshotPath.equals(path)
        || request.getContentType() != null
        || request.getContentLengthLong() > 0
        || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    chain.doFilter(new EmptyJsonRequest(request), response);
  }

  /** The request with {@code Content-Type: application/json} and the body {@code {}}. */
  private static final class EmptyJsonRequest extends HttpServletRequestWrapper {

    private final ByteArrayInputStream body = new ByteArrayInputStream(EMPTY_OBJECT);

    EmptyJsonRequest(HttpServletRequest request) {
      super(request);
    }

    @Override
    public String getContentType() {
      return MediaType.APPLICATION_JSON_VALUE;
    }

    @Override
    public int getContentLength() {
      return EMPTY_OBJECT.length;
    }

    @Override
    public long getContentLengthLong() {
      return EMPTY_OBJECT.length;
    }

    @Override
    public @Nullable String getHeader(String name) {
      if (HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)) {
        return getContentType();
      }
      if (HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name)) {
        return Integer.toString(EMPTY_OBJECT.length);
      }
      return super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String own = HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) || HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name)
          ? getHeader(name)
          : null;
      return own != null ? Collections.enumeration(List.of(own)) : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
      names.removeIf(n -> n.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) || n.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH));
      names.add(HttpHeaders.CONTENT_TYPE);
      names.add(HttpHeaders.CONTENT_LENGTH);
      return Collections.enumeration(names);
    }

    @Override
    public ServletInputStream getInputStream() {
      return new ServletInputStream() {
        @Override
        public int read() {
          return body.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return body.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return body.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the body is read at once");
        }
      };
    }
  }
}
