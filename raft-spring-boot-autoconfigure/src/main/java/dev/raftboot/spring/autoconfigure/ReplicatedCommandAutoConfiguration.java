package dev.raftboot.spring.autoconfigure;

import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.command.CommandCodec;
import dev.raftboot.spring.command.JsonCommandCodec;
import dev.raftboot.spring.command.ReplicatedCallDispatcher;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedCommandApplier;
import dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor;
import dev.raftboot.spring.command.ReplicatedMethodRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of {@link ReplicatedCommand @ReplicatedCommand} and {@code @ReplicatedQuery}
 * methods: proxies that propose or read through the raft node, and the applier that invokes the
 * methods when their commands are committed. Arguments travel as JSON (the application's {@link
 * JsonMapper}, if any) unless the application defines its own {@link CommandCodec}.
 */
@AutoConfiguration(
    before = RaftAutoConfiguration.class,
    afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass({ReplicatedCommand.class, JsonMapper.class})
@ConditionalOnBooleanProperty(name = "raft.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RaftProperties.class)
public final class ReplicatedCommandAutoConfiguration {

  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  @ConditionalOnMissingBean
  static ReplicatedMethodRegistry replicatedMethodRegistry() {
    return new ReplicatedMethodRegistry();
  }

  @Bean
  @ConditionalOnMissingBean
  static ReplicatedMethodBeanPostProcessor replicatedMethodBeanPostProcessor(
      ReplicatedMethodRegistry registry, ObjectProvider<ReplicatedCallDispatcher> dispatcher) {
    return new ReplicatedMethodBeanPostProcessor(registry, dispatcher::getObject);
  }

  @Bean
  @ConditionalOnMissingBean
  CommandCodec raftCommandCodec(ObjectProvider<JsonMapper> jsonMapper) {
    return new JsonCommandCodec(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()));
  }

  @Bean
  @ConditionalOnMissingBean
  ReplicatedCallDispatcher replicatedCallDispatcher(
      ObjectProvider<ReplicatedLog> log, CommandCodec codec, RaftProperties properties) {
    return new ReplicatedCallDispatcher(
        log::getObject, codec, properties.getCommandTimeout(), properties.getCommandFormatVersion());
  }

  @Bean
  @ConditionalOnMissingBean
  ReplicatedCommandApplier replicatedCommandApplier(
      ReplicatedMethodRegistry registry, CommandCodec codec) {
    return new ReplicatedCommandApplier(registry, codec);
  }
}
