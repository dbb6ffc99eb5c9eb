package dev.raftboot.spring.test;

import dev.raftboot.spring.command.CommandCodec;
import dev.raftboot.spring.command.JsonCommandCodec;
import dev.raftboot.spring.command.ReplicatedCallDispatcher;
import dev.raftboot.spring.command.ReplicatedCommandApplier;
import dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor;
import dev.raftboot.spring.command.ReplicatedMethodRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires replicated methods the way the auto-configuration does, without a log: the registry, the
 * proxies, the codec (on the context's {@link JsonMapper} if there is one) and the applier. A test
 * adds the {@link ReplicatedCallDispatcher} bean on the log it runs on (a stand-in or a real
 * {@code RaftServer}) with the timeout it wants.
 */
@Configuration(proxyBeanMethods = false)
public class ReplicatedMethodsWiring {

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
  ReplicatedCommandApplier replicatedCommandApplier(
      ReplicatedMethodRegistry registry, CommandCodec codec) {
    return new ReplicatedCommandApplier(registry, codec);
  }
}
