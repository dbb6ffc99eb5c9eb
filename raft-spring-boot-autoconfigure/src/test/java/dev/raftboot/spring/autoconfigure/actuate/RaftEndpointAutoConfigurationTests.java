package dev.raftboot.spring.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.actuate.endpoint.RaftEndpoint;
import dev.raftboot.spring.actuate.endpoint.RaftEndpointWebExtension;
import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.test.NoNetworkTransport;
import dev.raftboot.spring.test.RaftTestNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class RaftEndpointAutoConfigurationTests {

  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner(RaftEndpointAutoConfigurationTests::withBootConversions)
        .withConfiguration(
            AutoConfigurations.of(
                RaftStorageAutoConfiguration.class,
                RaftAutoConfiguration.class,
                RaftEndpointAutoConfiguration.class))
        .withBean(NoNetworkTransport.class)
        .withPropertyValues(RaftTestNode.singleNode(dir));
  }

  @Test
  void createsEndpointAndWebExtensionWhenExposedOverHttp() {
    runner()
        .withPropertyValues("management.endpoints.web.exposure.include=raft")
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftEndpoint.class);
              assertThat(context).hasSingleBean(RaftEndpointWebExtension.class);
            });
  }

  @Test
  void createsNoEndpointWhenNotExposed() {
    runner().run(context -> assertThat(context).doesNotHaveBean(RaftEndpoint.class));
  }

  @Test
  void createsEndpointWithoutWebExtensionWhenExposedOnlyOverJmx() {
    runner()
        .withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=raft")
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftEndpoint.class);
              assertThat(context).doesNotHaveBean(RaftEndpointWebExtension.class);
            });
  }

  @Test
  void createsNoEndpointWhenAccessIsNone() {
    runner()
        .withPropertyValues(
            "management.endpoints.web.exposure.include=raft", "management.endpoint.raft.access=none")
        .run(context -> assertThat(context).doesNotHaveBean(RaftEndpoint.class));
  }

  @Test
  void createsNoEndpointWithoutRaftServer() {
    runner()
        .withPropertyValues("management.endpoints.web.exposure.include=raft", "raft.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(RaftServer.class);
              assertThat(context).doesNotHaveBean(RaftEndpoint.class);
            });
  }

  @Test
  void createsNoEndpointWithoutActuatorAutoConfiguration() {
    runner()
        .withPropertyValues("management.endpoints.web.exposure.include=raft")
        .withClassLoader(new FilteredClassLoader(ConditionalOnAvailableEndpoint.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftServer.class);
              assertThat(context).doesNotHaveBean(RaftEndpoint.class);
            });
  }

  @Test
  void backsOffWhenTheApplicationDefinesRaftEndpoint() {
    runner()
        .withPropertyValues("management.endpoints.web.exposure.include=raft")
        .withUserConfiguration(OwnEndpoint.class)
        .run(
            context -> {
              assertThat(context).getBean(RaftEndpoint.class).isSameAs(context.getBean("ownRaftEndpoint"));
              assertThat(context.getBean(RaftEndpointWebExtension.class)).isNotNull();
            });
  }

  @Test
  void waitsLongerThanTheNodesCommandTimeout() {
    runner()
        .withPropertyValues("raft.command-timeout=2s", "raft.tick-interval=50ms")
        .run(
            context -> {
              var properties = context.getBean(dev.raftboot.spring.autoconfigure.RaftProperties.class);
              assertThat(RaftEndpointAutoConfiguration.operationTimeout(properties))
                  .isEqualTo(Duration.ofMillis(2000 + 2 * 50 + 500));
            });
  }

  /** As in a Spring Boot application, so that {@code access=none} binds to {@code Access.NONE}. */
  private static AnnotationConfigApplicationContext withBootConversions() {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    context.getEnvironment().setConversionService(new ApplicationConversionService());
    return context;
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnEndpoint {

    @Bean
    RaftEndpoint ownRaftEndpoint(RaftServer server) {
      return new RaftEndpoint(server, Duration.ofSeconds(1));
    }
  }
}
