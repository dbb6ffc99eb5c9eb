package dev.raftboot.spring.autoconfigure.transport;

import dev.raftboot.RawNode;
import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.autoconfigure.RaftPropertiesValidator;
import dev.raftboot.spring.transport.HttpRaftTransport;
import dev.raftboot.spring.transport.HttpTransportSettings;
import dev.raftboot.spring.transport.PeerRequestObservationFilter;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftPeerServlet;
import dev.raftboot.spring.transport.RaftTransport;
import java.net.http.HttpClient;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * Auto-configuration of the HTTP peer transport: an {@link HttpRaftTransport} that sends to the
 * peers' {@code raft.transport.path-prefix} endpoints, and, in a servlet web application, the
 * {@link RaftPeerServlet} that receives from them, registered on its three exact paths beside (not
 * through) Spring MVC's dispatcher. Backs off when the application defines its own {@link
 * RaftTransport}; the servlet registration ({@value #PEER_SERVLET_REGISTRATION}) backs off when the
 * application defines a bean of that name. A reactive or non-web application has no peer endpoint.
 *
 * <p>The JDK {@link HttpClient.Builder} of the peer client is passed to every {@link
 * RaftPeerHttpClientCustomizer} bean, in {@code @Order}, before the client is built.
 */
@AutoConfiguration(before = RaftAutoConfiguration.class)
@ConditionalOnClass(RawNode.class)
@ConditionalOnBooleanProperty(name = "raft.enabled", matchIfMissing = true)
@EnableConfigurationProperties({RaftProperties.class, RaftTransportProperties.class})
public final class RaftTransportAutoConfiguration {

  private static final String SSL_BUNDLE_PROPERTY = "raft.transport.ssl-bundle";
  static final String PEER_SERVLET_REGISTRATION = "raftPeerServletRegistration";

  @Bean
  @ConditionalOnMissingBean
  HttpTransportSettings raftHttpTransportSettings(
      RaftProperties raft, RaftTransportProperties transport) {
    checkMaxMessageSize(raft, transport);
    return new HttpTransportSettings(
        transport.getPathPrefix(),
        transport.getConnectTimeout(),
        transport.getRequestTimeout(),
        transport.getQueueSize(),
        transport.getMaxMessageSize().toBytes(),
        transport.getToken(),
        transport.getSnapshotTimeout(),
        transport.getMaxSnapshotSize().toBytes(),
        transport.getCommitLinger());
  }

  /**
   * The one check that spans two property groups, so neither group's binding can make it: a body
   * limit below raft's largest append message would make peers refuse every full append.
   */
  private static void checkMaxMessageSize(RaftProperties raft, RaftTransportProperties transport) {
    DataSize max = transport.getMaxMessageSize();
    DataSize perMsg = raft.getMaxSizePerMsg();
    if (max.toBytes() > 0 && perMsg.toBytes() > 0 && max.compareTo(perMsg) < 0) {
      throw new InvalidConfigurationPropertyValueException(
          "raft.transport.max-message-size",
          max,
          RaftPropertiesValidator.maxMessageSizeMessage(max, perMsg));
    }
  }

  @Bean
  @ConditionalOnMissingBean(RaftTransport.class)
  HttpRaftTransport raftTransport(
      RaftProperties raft,
      RaftTransportProperties transport,
      HttpTransportSettings settings,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<RaftPeerHttpClientCustomizer> customizers,
      Environment environment) {
    String bundleName = transport.getSslBundle();
    SslBundle bundle = null;
    if (bundleName != null && !bundleName.isBlank()) {
      bundle = sslBundle(bundleName, sslBundles.getIfAvailable());
    }
    PeerAuthenticationPolicy.check(raft, transport, environment);
    HttpClient.Builder client = HttpRaftTransport.clientBuilder(settings.connectTimeout(), bundle);
    customizers.orderedStream().forEach(customizer -> customizer.customize(client));
    return new HttpRaftTransport(raft.getClusterId(), settings, client.build());
  }

  private static SslBundle sslBundle(String name, @Nullable SslBundles bundles) {
    String define =
        "define it as spring.ssl.bundle.jks."
            + name
            + ".* or spring.ssl.bundle.pem."
            + name
            + ".*, or correct the name";
    if (bundles == null) {
      throw new InvalidConfigurationPropertyValueException(
          SSL_BUNDLE_PROPERTY, name, "this application has no SSL bundles; " + define);
    }
    try {
      return bundles.getBundle(name);
    } catch (NoSuchSslBundleException e) {
      throw new InvalidConfigurationPropertyValueException(
          SSL_BUNDLE_PROPERTY,
          name,
          "there is no SSL bundle of that name (the bundles are "
              + bundles.getBundleNames()
              + "); "
              + define);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "jakarta.servlet.http.HttpServlet")
  static final class PeerEndpointConfiguration {

    @Bean(name = PEER_SERVLET_REGISTRATION)
    @ConditionalOnMissingBean(name = PEER_SERVLET_REGISTRATION)
    ServletRegistrationBean<RaftPeerServlet> raftPeerServletRegistration(
        RaftMessageReceiver receiver, HttpTransportSettings settings) {
      ServletRegistrationBean<RaftPeerServlet> registration =
          new ServletRegistrationBean<>(
              new RaftPeerServlet(receiver, settings), RaftPeerServlet.mappings(settings));
      registration.setName("raftPeerServlet");
      // Ready before the first peer request, which would otherwise wait for its initialization.
      registration.setLoadOnStartup(1);
      return registration;
    }

    @Bean
    OwnUrlCheck raftOwnUrlCheck(ObjectProvider<HttpRaftTransport> transport, RaftProperties properties) {
      return new OwnUrlCheck(transport, properties);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
        name = {
          "io.micrometer.observation.ObservationPredicate",
          "org.springframework.http.server.observation.ServerRequestObservationContext"
        })
    static final class PeerObservationConfiguration {

      @Bean
      @ConditionalOnMissingBean
      PeerRequestObservationFilter raftPeerRequestObservationFilter(HttpTransportSettings settings) {
        return new PeerRequestObservationFilter(settings.pathPrefix());
      }
    }
  }
}
