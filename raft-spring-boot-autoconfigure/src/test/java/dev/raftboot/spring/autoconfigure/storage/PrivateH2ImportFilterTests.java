package dev.raftboot.spring.autoconfigure.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.test.RaftTestNode;
import dev.raftboot.spring.test.WholeApplication;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whole applications (auto-configuration with its import filters, a web server on a free port): the
 * H2 driver the starter brings for raft's log does not become an application DataSource, and an
 * application's own database is still used.
 */
class PrivateH2ImportFilterTests {

  @TempDir Path dir;

  @Test
  void applicationWithoutADatabaseGetsNoDataSourceAndNoDbHealth() throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      assertThat(context.getBeanNamesForType(DataSource.class)).isEmpty();
      assertThat(context.getBean(RaftStorageDataSource.class).isDedicated()).isTrue();
      JsonNode components = healthComponents(context);
      assertThat(components.has("raft")).isTrue();
      assertThat(components.has("db")).isFalse();
    }
  }

  @Test
  void applicationsOwnDatabaseIsStillCreatedAndHoldsTheLog() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("app").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    try (ConfigurableApplicationContext context = start("spring.datasource.url=" + url)) {
      assertThat(context.getBeanNamesForType(DataSource.class)).hasSize(1);
      RaftStorageDataSource log = context.getBean(RaftStorageDataSource.class);
      assertThat(log.getDataSource()).isSameAs(context.getBean(DataSource.class));
      assertThat(healthComponents(context).has("db")).isTrue();
    }
  }

  @Test
  void inMemoryApplicationDatabaseOnRequest() throws Exception {
    try (ConfigurableApplicationContext context =
        start("spring.datasource.embedded-database-connection=h2")) {
      assertThat(context.getBeanNamesForType(DataSource.class)).hasSize(1);
      // An in-memory database never holds the log: raft keeps its own H2 file.
      assertThat(context.getBean(RaftStorageDataSource.class).isDedicated()).isTrue();
    }
  }

  private ConfigurableApplicationContext start(String... properties) {
    return WholeApplication.start(RaftTestNode.singleNode(dir.resolve("raft")), properties);
  }

  private static JsonNode healthComponents(ConfigurableApplicationContext context)
      throws Exception {
    HttpResponse<String> response = WholeApplication.get(context, "/actuator/health");
    return JsonMapper.builder().build().readTree(response.body()).get("components");
  }
}
