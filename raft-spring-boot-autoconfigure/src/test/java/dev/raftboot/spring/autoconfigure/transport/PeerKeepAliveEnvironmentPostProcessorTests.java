package dev.raftboot.spring.autoconfigure.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class PeerKeepAliveEnvironmentPostProcessorTests {

  private final PeerKeepAliveEnvironmentPostProcessor processor = new PeerKeepAliveEnvironmentPostProcessor();
  private final StandardEnvironment environment = new StandardEnvironment();

  @Test
  void removesTomcatsLimitOfRequestsPerConnectionByDefault() {
    processor.postProcessEnvironment(environment, new SpringApplication());

    assertThat(environment.getProperty("server.tomcat.max-keep-alive-requests")).isEqualTo("-1");
    assertThat(environment.getPropertySources().stream().reduce((a, b) -> b).orElseThrow().getName())
        .isEqualTo(PeerKeepAliveEnvironmentPostProcessor.SOURCE_NAME);
  }

  @Test
  void leavesTheApplicationsOwnSettingAlone() {
    environment.getPropertySources().addFirst(
        new MapPropertySource("application", Map.of("server.tomcat.max-keep-alive-requests", "100")));

    processor.postProcessEnvironment(environment, new SpringApplication());

    assertThat(environment.getProperty("server.tomcat.max-keep-alive-requests")).isEqualTo("100");
    assertThat(environment.getPropertySources().contains(PeerKeepAliveEnvironmentPostProcessor.SOURCE_NAME)).isFalse();
  }

  @Test
  void changesNothingWhenRaftIsDisabled() {
    environment.getPropertySources().addFirst(new MapPropertySource("application", Map.of("raft.enabled", "false")));

    processor.postProcessEnvironment(environment, new SpringApplication());

    assertThat(environment.containsProperty("server.tomcat.max-keep-alive-requests")).isFalse();
  }
}
