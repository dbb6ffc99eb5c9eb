package dev.raftboot.spring.it;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedQuery;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A minimal application using the starter: one replicated key-value bean. */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
class KvTestApplication {

  @Bean
  Kv kv() {
    return new Kv();
  }

  static class Kv implements StateSnapshotter {
    final Map<String, String> map = new ConcurrentHashMap<>();

    @ReplicatedCommand
    public String put(String key, String value) {
      return map.put(key, value);
    }

    /** This node's state as it is (through the proxy, which has no state of its own). */
    public Map<String, String> local() {
      return map;
    }

    @ReplicatedQuery
    public String get(String key) {
      return map.get(key);
    }

    @Override
    public ByteString snapshot() {
      StringBuilder sb = new StringBuilder();
      new TreeMap<>(map).forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
      return ByteString.copyFrom(sb.toString(), StandardCharsets.UTF_8);
    }

    @Override
    public void restore(ByteString data) {
      map.clear();
      for (String line : data.toString(StandardCharsets.UTF_8).split("\n")) {
        if (!line.isEmpty()) {
          String[] kv = line.split("\t", 2);
          map.put(kv[0], kv[1]);
        }
      }
    }
  }
}
