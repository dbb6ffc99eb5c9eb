package dev.raftboot.spring.command;

import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.test.ReplicatedMethodsWiring;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Wires replicated methods the way the auto-configuration does, on a {@link ReplicatedLog} bean. */
@Configuration(proxyBeanMethods = false)
@Import(ReplicatedMethodsWiring.class)
class ReplicationTestConfiguration {

  /** The dispatcher's default timeout in these tests: short, so that timeouts are quick to see. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  @Bean
  ReplicatedCallDispatcher replicatedCallDispatcher(
      ObjectProvider<ReplicatedLog> log, CommandCodec codec) {
    return new ReplicatedCallDispatcher(log::getObject, codec, DEFAULT_TIMEOUT);
  }
}
