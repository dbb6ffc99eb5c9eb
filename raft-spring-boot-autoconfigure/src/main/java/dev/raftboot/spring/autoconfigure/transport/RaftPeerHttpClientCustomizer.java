package dev.raftboot.spring.autoconfigure.transport;

import java.net.http.HttpClient;

/**
 * Customizes the JDK {@link HttpClient.Builder} of the HTTP peer transport before the client is
 * built. Beans of this type are applied in {@code @Order}, after the transport has set HTTP/1.1, no
 * proxy, no redirects, the connect timeout and the SSL bundle's TLS settings, so a customizer can
 * override any of them.
 *
 * <p>The client carries snapshot transfers, identity probes and the own-URL check. Message batches
 * go over one kept-alive socket per peer that takes only the client's connect timeout, SSL context
 * and SSL parameters; other builder settings (proxy, executor, authenticator, version) do not
 * reach them. Called once, on the thread that creates the transport bean.
 */
@FunctionalInterface
public interface RaftPeerHttpClientCustomizer {

  /** Changes {@code builder}; must not call {@link HttpClient.Builder#build()}. */
  void customize(HttpClient.Builder builder);
}
