package dev.raftboot.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.command.CommandCodec;
import dev.raftboot.spring.command.JsonCommandCodec;
import dev.raftboot.spring.command.ReplicatedCallDispatcher;
import dev.raftboot.spring.command.ReplicatedCommandApplier;
import dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

class ReplicatedCommandAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ReplicatedCommandAutoConfiguration.class))
          .withPropertyValues("raft.node-id=1", "raft.peers.1=http://localhost:8081");

  @Test
  void registersTheProxyingPostProcessorDispatcherAndApplier() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(ReplicatedMethodBeanPostProcessor.class);
          assertThat(context).hasSingleBean(ReplicatedCallDispatcher.class);
          assertThat(context).hasSingleBean(ReplicatedCommandApplier.class);
          assertThat(context).getBean(CommandCodec.class).isInstanceOf(JsonCommandCodec.class);
        });
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsCodec() {
    runner
        .withUserConfiguration(OwnCodec.class)
        .run(context -> assertThat(context).getBean(CommandCodec.class).isSameAs(OwnCodec.CODEC));
  }

  @Test
  void absentWithoutJackson() {
    runner
        .withClassLoader(new FilteredClassLoader(JsonMapper.class))
        .run(context -> assertThat(context).doesNotHaveBean(ReplicatedCallDispatcher.class));
  }

  @Test
  void disabledByProperty() {
    runner
        .withPropertyValues("raft.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ReplicatedCommandApplier.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnCodec {
    static final CommandCodec CODEC = new JsonCommandCodec();

    @Bean
    CommandCodec myCodec() {
      return CODEC;
    }
  }
}
