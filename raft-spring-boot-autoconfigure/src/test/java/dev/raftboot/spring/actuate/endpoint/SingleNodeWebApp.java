package dev.raftboot.spring.actuate.endpoint;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.spi.StateSnapshotter;
import dev.raftboot.spring.test.NoNetworkTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the endpoint's web tests share: a single-node cluster (no network) on a random port with
 * its log in a temporary folder, and an empty replicated state that can be snapshotted.
 */
abstract class SingleNodeWebApp {

  @TempDir static Path dir;

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("raft.storage.data-dir", () -> dir.toAbsolutePath().toString());
  }

  @LocalServerPort int port;

  @Autowired RaftServer server;

  final HttpClient http = HttpClient.newHttpClient();

  URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  /** The node's beans; each test's application imports them. */
  @Configuration(proxyBeanMethods = false)
  static class Beans {

    @Bean
    NoNetworkTransport raftTransport() {
      return new NoNetworkTransport();
    }

    /** An empty state, so that the snapshot operation has something to write. */
    @Bean
    StateSnapshotter emptyState() {
      return new StateSnapshotter() {
        @Override
        public ByteString snapshot() {
          return ByteString.EMPTY;
        }

        @Override
        public void restore(ByteString data) {}
      };
    }
  }
}
