package dev.raftboot.spring.transport;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Leaves raft's peer requests out of Spring's HTTP server observations ({@code
 * http.server.requests}). Peers exchange several requests per replicated command and heartbeats
 * all the time; observing them would bury the application's own requests in the metrics and
 * traces and cost CPU on every message. Raft's own meters ({@code raft.*}) cover that traffic.
 */
public final class PeerRequestObservationFilter implements ObservationPredicate {

  private final String pathPrefix;

  /** @param pathPrefix the peer endpoints' prefix, {@code raft.transport.path-prefix} */
  public PeerRequestObservationFilter(String pathPrefix) {
    this.pathPrefix = pathPrefix.endsWith("/") ? pathPrefix : pathPrefix + "/";
  }

  @Override
  public boolean test(String name, Observation.Context context) {
    if (context instanceof ServerRequestObservationContext server) {
      HttpServletRequest request = server.getCarrier();
      String path = request.getRequestURI().substring(request.getContextPath().length());
      return !path.startsWith(pathPrefix);
    }
    return true;
  }
}
