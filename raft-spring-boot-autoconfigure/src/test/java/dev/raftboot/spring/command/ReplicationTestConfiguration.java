package dev.raftboot.spring.command;

import dev.raftboot.spring.api.ReplicatedLog;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import tools.jackson.databind.json.JsonMapper;

/** Wires replicated methods the way the auto-configuration does, on a {@link ReplicatedLog} bean. */
@Configuration(proxyBeanMethods = false)
class ReplicationTestConfiguration {

  /** The dispatcher's default timeout in these tests: short, so that timeouts are quick to see. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static ReplicatedMethodRegistry replicatedMethodRegistry() {
    return new ReplicatedMethodRegistry();
  }

  @Bean
  static ReplicatedMethodBeanPostProcessor replicatedMethodBeanPostProcessor(
      ReplicatedMethodRegistry registry, ObjectProvider<ReplicatedCallDispatcher> dispatcher) {
    return new ReplicatedMethodBeanPostProcessor(registry, dispatcher::getObject);
  }

  @Bean
  CommandCodec commandCodec(ObjectProvider<JsonMapper> jsonMapper) {
    return new JsonCommandCodec(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()));
  }

  @Bean
  ReplicatedCallDispatcher replicatedCallDispatcher(
      ObjectProvider<ReplicatedLog> log, CommandCodec codec) {
    return new ReplicatedCallDispatcher(log::getObject, codec, DEFAULT_TIMEOUT);
  }

  @Bean
  ReplicatedCommandApplier replicatedCommandApplier(
      ReplicatedMethodRegistry registry, CommandCodec codec) {
    return new ReplicatedCommandApplier(registry, codec);
  }
}
