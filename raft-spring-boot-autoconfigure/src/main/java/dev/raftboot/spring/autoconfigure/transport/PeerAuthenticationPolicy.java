package dev.raftboot.spring.autoconfigure.transport;

import dev.raftboot.spring.autoconfigure.RaftProperties;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Decides at startup whether the peer transport may run as configured. Peer requests are
 * authenticated by the cluster secret ({@code raft.transport.token}) or by mutual TLS ({@code
 * raft.transport.ssl-bundle} with https peers and {@code server.ssl.client-auth=need}). Without
 * either, only a cluster whose peers are all on loopback may start (with a warning), or one that
 * opts out explicitly with {@code raft.transport.insecure=true} (a warning at every start).
 * Anything else is refused with a message that says what to set.
 */
public final class PeerAuthenticationPolicy {

  private static final Logger log = LoggerFactory.getLogger(PeerAuthenticationPolicy.class);

  static final String TOKEN_PROPERTY = "raft.transport.token";
  static final String INSECURE_PROPERTY = "raft.transport.insecure";

  private PeerAuthenticationPolicy() {}

  /** @throws RaftTransportSecurityException if the transport must not start so */
  static void check(RaftProperties p, RaftTransportProperties t, Environment env) {
    boolean secret = t.getToken() != null && !t.getToken().isEmpty();
    boolean mutualTls = mutualTls(p, t, env);
    if (secret) {
      if (mutualTls) {
        log.debug("raft peers authenticate with the cluster secret, over mutual TLS");
      }
      return;
    }
    if (mutualTls) {
      log.info(
          "raft peers authenticate with TLS client certificates only: any certificate the bundle '{}' trusts"
              + " is taken for a member; set {} as well to bind requests to node ids and recipients",
          t.getSslBundle(), TOKEN_PROPERTY);
      return;
    }
    List<String> remote =
        p.getPeers().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .filter(e -> !isLoopback(e.getValue()))
            .map(e -> "raft.peers." + e.getKey() + "=" + e.getValue())
            .toList();
    if (t.isInsecure()) {
      log.warn(
          "raft peer authentication is OFF ({}=true): anyone who can reach this node's port can write to the"
              + " raft log and reconfigure the cluster. Never do this outside a throw-away setup; set {}",
          INSECURE_PROPERTY, TOKEN_PROPERTY);
      return;
    }
    if (remote.isEmpty()) {
      log.warn(
          "raft peers are not authenticated: every peer is on loopback, so only programs on this machine can"
              + " reach them, and those can forge raft messages. Set {} (at least 16 characters, the same on"
              + " every node) before the nodes leave loopback",
          TOKEN_PROPERTY);
      return;
    }
    throw new RaftTransportSecurityException(
        "Raft peers are not authenticated, and some are not on loopback (" + String.join(", ", remote)
            + "): anyone who can reach a node's port could write to its raft log.",
        "Set " + TOKEN_PROPERTY + " to the same secret of at least 16 characters on every node (for example"
            + " from the environment variable RAFT_TRANSPORT_TOKEN; generate one with 'openssl rand -base64 32'),"
            + " or use mutual TLS (https peers, raft.transport.ssl-bundle and server.ssl.client-auth=need)."
            + " For a throw-away setup only, " + INSECURE_PROPERTY + "=true starts without authentication.");
  }

  /** Whether peers must present a certificate the bundle trusts, and every peer uses https. */
  private static boolean mutualTls(RaftProperties p, RaftTransportProperties t, Environment env) {
    String bundle = t.getSslBundle();
    String clientAuth = env.getProperty("server.ssl.client-auth", "none");
    Map<Long, URI> peers = p.getPeers();
    return bundle != null
        && !bundle.isBlank()
        && "need".equalsIgnoreCase(clientAuth.trim())
        && !peers.isEmpty()
        && peers.values().stream().allMatch(u -> u != null && "https".equalsIgnoreCase(u.getScheme()));
  }

  /** Whether {@code url}'s host is a loopback address; host names other than localhost are not resolved. */
  public static boolean isLoopback(URI url) {
    String host = url == null ? null : url.getHost();
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (!isIpLiteral(h)) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Literals only, so that the check never waits on DNS. */
  private static boolean isIpLiteral(String h) {
    return h.contains(":") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }
}
