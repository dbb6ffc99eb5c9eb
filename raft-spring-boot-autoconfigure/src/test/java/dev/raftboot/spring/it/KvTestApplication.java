package dev.raftboot.spring.it;

import dev.raftboot.spring.test.ReplicatedKv;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A minimal application using the starter: one replicated key-value bean. */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
class KvTestApplication {

  @Bean
  ReplicatedKv kv() {
    return new ReplicatedKv();
  }
}
