package dev.raftboot.spring.autoconfigure.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.raftpb.Message;
import dev.raftboot.spring.transport.HttpRaftTransport;
import dev.raftboot.spring.transport.HttpTransportSettings;
import dev.raftboot.spring.transport.PeerRequestObservationFilter;
import dev.raftboot.spring.transport.RaftPeerServlet;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import dev.raftboot.spring.transport.RaftTransport;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.core.Ordered;
import dev.raftboot.spring.test.NoNetworkTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;

@ExtendWith(OutputCaptureExtension.class)
class RaftTransportAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(RaftTransportAutoConfiguration.class))
          .withPropertyValues("raft.node-id=1", "raft.peers.1=http://localhost:8081");

  @Test
  void createsAnHttpTransportFromProperties() {
    runner
        .withPropertyValues(
            "raft.transport.path-prefix=/cluster",
            "raft.transport.request-timeout=2s",
            "raft.transport.queue-size=77",
            "raft.transport.max-message-size=2MB",
            "raft.transport.token=s3cret-of-sixteen-chars")
        .run(
            context -> {
              assertThat(context).hasSingleBean(HttpRaftTransport.class);
              HttpTransportSettings settings = context.getBean(HttpTransportSettings.class);
              assertThat(settings.pathPrefix()).isEqualTo("/cluster");
              assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
              assertThat(settings.queueSize()).isEqualTo(77);
              assertThat(settings.maxMessageSize()).isEqualTo(2L * 1024 * 1024);
              assertThat(settings.token()).isEqualTo("s3cret-of-sixteen-chars");
            });
  }

  @Test
  void refusesAMessageSizeLimitBelowRaftsLargestAppend() {
    runner
        .withPropertyValues("raft.transport.max-message-size=512KB")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining(
                        "raft.transport.max-message-size (524288B) must be at least"
                            + " raft.max-size-per-msg (1048576B), or peers would refuse full append"
                            + " messages"));
    runner
        .withPropertyValues("raft.transport.max-message-size=2MB", "raft.max-size-per-msg=2MB")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void peerHttpClientCustomizersRunInOrder() {
    List<String> calls = new CopyOnWriteArrayList<>();
    runner
        .withBean(
            "second",
            RaftPeerHttpClientCustomizer.class,
            () -> new OrderedClientCustomizer(2, () -> calls.add("second")))
        .withBean(
            "first",
            RaftPeerHttpClientCustomizer.class,
            () -> new OrderedClientCustomizer(1, () -> calls.add("first")))
        .run(
            context -> {
              assertThat(context).hasSingleBean(HttpRaftTransport.class);
              assertThat(calls).containsExactly("first", "second");
            });
  }

  @Test
  void peerHttpClientCustomizersAreNotCalledForAnApplicationTransport() {
    List<String> calls = new CopyOnWriteArrayList<>();
    runner
        .withUserConfiguration(OwnTransport.class)
        .withBean(RaftPeerHttpClientCustomizer.class, () -> builder -> calls.add("called"))
        .run(context -> assertThat(calls).isEmpty());
  }

  /** Changes the builder, so a customizer that the build ignores would go unnoticed otherwise. */
  private record OrderedClientCustomizer(int order, Runnable call)
      implements RaftPeerHttpClientCustomizer, Ordered {
    @Override
    public void customize(HttpClient.Builder builder) {
      call.run();
      builder.connectTimeout(Duration.ofSeconds(order));
    }

    @Override
    public int getOrder() {
      return order;
    }
  }

  @Test
  void backsOffWhenTheApplicationDefinesATransport() {
    runner
        .withUserConfiguration(OwnTransport.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftTransport.class);
              assertThat(context).doesNotHaveBean(HttpRaftTransport.class);
            });
  }

  @Test
  void registersThePeerServletOnlyInAServletWebApplication() {
    runner.run(context -> assertThat(context).doesNotHaveBean(ServletRegistrationBean.class));
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RaftTransportAutoConfiguration.class))
        .withPropertyValues(
            "raft.node-id=1", "raft.peers.1=http://localhost:8081", "raft.transport.path-prefix=/cluster")
        .withUserConfiguration(Receiver.class)
        .run(
            context -> {
              ServletRegistrationBean<?> registration =
                  context.getBean("raftPeerServletRegistration", ServletRegistrationBean.class);
              assertThat(registration.getServlet()).isInstanceOf(RaftPeerServlet.class);
              // Exact paths: nothing else under the prefix, and never the application's own paths.
              assertThat(registration.getUrlMappings())
                  .containsExactlyInAnyOrder("/cluster/messages", "/cluster/snapshot", "/cluster/identity");
            });
  }

  @Test
  void thePeerServletNeedsNoSpringMvc() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RaftTransportAutoConfiguration.class))
        .withPropertyValues("raft.node-id=1", "raft.peers.1=http://localhost:8081")
        .withUserConfiguration(Receiver.class)
        .withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
        .run(context -> assertThat(context).hasBean("raftPeerServletRegistration"));
  }

  @Test
  void backsOffWhenTheApplicationRegistersThePeerServletItself() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RaftTransportAutoConfiguration.class))
        .withPropertyValues("raft.node-id=1", "raft.peers.1=http://localhost:8081")
        .withUserConfiguration(Receiver.class, OwnPeerServlet.class)
        .run(
            context ->
                assertThat(context.getBean("raftPeerServletRegistration", ServletRegistrationBean.class).getUrlMappings())
                    .containsExactly("/internal/raft/*"));
  }

  @Test
  void peerRequestsAreLeftOutOfHttpServerObservations() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RaftTransportAutoConfiguration.class))
        .withPropertyValues(
            "raft.node-id=1", "raft.peers.1=http://localhost:8081", "raft.transport.path-prefix=/cluster")
        .withUserConfiguration(Receiver.class)
        .run(
            context -> {
              ObservationPredicate predicate = context.getBean(PeerRequestObservationFilter.class);
              assertThat(predicate.test("http.server.requests", serverRequest("/app", "/app/cluster/messages")))
                  .isFalse();
              assertThat(predicate.test("http.server.requests", serverRequest("", "/cluster/snapshot")))
                  .isFalse();
              assertThat(predicate.test("http.server.requests", serverRequest("", "/clusters")))
                  .isTrue();
              assertThat(predicate.test("http.server.requests", serverRequest("", "/kv/cluster/x")))
                  .isTrue();
              assertThat(predicate.test("other", new Observation.Context())).isTrue();
            });
  }

  private static ServerRequestObservationContext serverRequest(String contextPath, String uri) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", uri);
    request.setContextPath(contextPath);
    return new ServerRequestObservationContext(request, new MockHttpServletResponse());
  }

  // --- peer authentication policy ---

  @Test
  void refusesToStartWithRemotePeersAndNoAuthentication() {
    runner
        .withPropertyValues("raft.peers.2=http://10.0.0.2:8080", "raft.peers.3=http://127.0.0.1:8083")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(RaftTransportSecurityException.class)
                    .hasMessageContaining("some are not on loopback (raft.peers.2=http://10.0.0.2:8080)")
                    .hasMessageContaining("Set raft.transport.token to the same secret of at least 16 characters")
                    .hasMessageContaining("raft.transport.insecure=true"));
  }

  @Test
  void startsWithRemotePeersWhenTheyAuthenticate(CapturedOutput output) {
    runner
        .withPropertyValues("raft.peers.2=http://10.0.0.2:8080", "raft.transport.token=0123456789abcdef")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(HttpRaftTransport.class));
    runner
        .withPropertyValues(
            "raft.peers.1=https://localhost:8081",
            "raft.peers.2=https://10.0.0.2:8080",
            "raft.transport.ssl-bundle=peers",
            "server.ssl.client-auth=need")
        .withBean(SslBundles.class, () -> new DefaultSslBundleRegistry("peers", SslBundle.of(null)))
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output).contains("authenticate with TLS client certificates only");
  }

  @Test
  void tlsWithoutClientCertificatesIsNoAuthentication() {
    runner
        .withPropertyValues(
            "raft.peers.1=https://localhost:8081",
            "raft.peers.2=https://10.0.0.2:8080",
            "raft.transport.ssl-bundle=peers")
        .withBean(SslBundles.class, () -> new DefaultSslBundleRegistry("peers", SslBundle.of(null)))
        .run(context -> assertThat(context.getStartupFailure()).rootCause().isInstanceOf(RaftTransportSecurityException.class));
  }

  @Test
  void startsInsecurelyOnlyWhenToldAndWarns(CapturedOutput output) {
    runner
        .withPropertyValues("raft.peers.2=http://10.0.0.2:8080", "raft.transport.insecure=true")
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output).contains("raft peer authentication is OFF (raft.transport.insecure=true)");
  }

  @Test
  void aLoopbackClusterStartsWithoutAuthenticationButWarns(CapturedOutput output) {
    runner
        .withPropertyValues("raft.peers.2=http://127.0.0.2:8082", "raft.peers.3=http://[::1]:8083")
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output).contains("raft peers are not authenticated: every peer is on loopback");
  }

  @Test
  void disabledByProperty() {
    runner
        .withPropertyValues("raft.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(RaftTransport.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnTransport {
    @Bean
    RaftTransport myTransport() {
      return new NoNetworkTransport();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnPeerServlet {
    @Bean
    ServletRegistrationBean<RaftPeerServlet> raftPeerServletRegistration(
        dev.raftboot.spring.transport.RaftMessageReceiver receiver, HttpTransportSettings settings) {
      return new ServletRegistrationBean<>(new RaftPeerServlet(receiver, settings), "/internal/raft/*");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Receiver {
    @Bean
    dev.raftboot.spring.transport.RaftMessageReceiver receiver() {
      return new dev.raftboot.spring.transport.RaftMessageReceiver() {
        @Override
        public long nodeId() {
          return 1;
        }

        @Override
        public String clusterId() {
          return "raft";
        }

        @Override
        public boolean isMember(long id) {
          return true;
        }

        @Override
        public boolean receive(Message message) {
          return true;
        }
      };
    }
  }
}
