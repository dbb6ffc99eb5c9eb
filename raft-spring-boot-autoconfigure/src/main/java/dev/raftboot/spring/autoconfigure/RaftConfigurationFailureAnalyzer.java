package dev.raftboot.spring.autoconfigure;

import dev.raftboot.spring.autoconfigure.transport.RaftTransportSecurityException;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;

/**
 * Startup failure reports for the transport: a {@link RaftTransportSecurityException}, and a peer
 * URL that is not even a URI (such as {@code 10.0.0.2:8080}, whose missing scheme would otherwise
 * be reported as "Illegal character in scheme name"). Runs before Boot's generic bind report.
 */
final class RaftConfigurationFailureAnalyzer implements FailureAnalyzer, Ordered {

  @Override
  public @Nullable FailureAnalysis analyze(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RaftTransportSecurityException e) {
        String message = String.valueOf(e.getMessage());
        String description = message.substring(0, message.length() - e.getAction().length()).strip();
        return new FailureAnalysis(description, e.getAction(), e);
      }
      if (t instanceof BindException b && isPeerUrl(b)) {
        ConfigurationProperty p = b.getProperty();
        String name = p != null ? p.getName().toString() : b.getName().toString();
        String value = p != null ? String.valueOf(p.getValue()) : "";
        return new FailureAnalysis(
            name + "=" + value + " is not a URL" + (value.contains("://") ? "" : ": it has no scheme"),
            "Give the node's base URL with its scheme, such as " + name + "=http://" + value.replaceFirst("^[a-z]+://", "")
                + " (or https://... with TLS)",
            b);
      }
    }
    return null;
  }

  /** A peer's URL that did not convert (its id did, or the target would be the map). */
  private static boolean isPeerUrl(BindException b) {
    ConfigurationProperty p = b.getProperty();
    return p != null
        && p.getName().toString().matches("raft\\.peers\\.\\d+")
        && URI.class.equals(b.getTarget().getType().resolve());
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
