package dev.raftboot.spring.autoconfigure.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.Storage;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.storage.ClusterLogMismatchException;
import dev.raftboot.spring.storage.FileLogStorage;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.storage.TestDatabases;
import dev.raftboot.spring.test.MemoryRaftStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/** How {@link RaftStorageAutoConfiguration} picks the log's database and creates the storage. */
class RaftStorageAutoConfigurationTests {

  @TempDir Path dir;

  private final ApplicationContextRunner contextRunner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(RaftStorageAutoConfiguration.class))
          .withPropertyValues("raft.node-id=1", "raft.peers.1=http://localhost:8081");

  private ApplicationContextRunner runner() {
    return contextRunner.withPropertyValues("raft.storage.data-dir=" + dir);
  }

  private ApplicationContextRunner withBootDataSource() {
    return runner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class, RaftStorageAutoConfiguration.class));
  }

  private static void saveOneEntry(JdbcStorage storage) {
    storage.save(
        HardState.newBuilder().setTerm(1).setVote(1).setCommit(1).build(),
        List.of(Entry.newBuilder().setIndex(1).setTerm(1).build()),
        Snapshot.getDefaultInstance());
  }

  @Test
  void defaultsToAnH2FileDatabaseInTheDataDirectory() {
    runner()
        .run(
            context -> {
              assertThat(context).hasSingleBean(JdbcStorage.class).hasSingleBean(Storage.class);
              RaftStorageDataSource dataSource = context.getBean(RaftStorageDataSource.class);
              assertThat(dataSource.isOwned()).isTrue();
              assertThat(dataSource.getDescription())
                  .startsWith("jdbc:h2:file:" + dir.toAbsolutePath())
                  .contains("embedded H2 file database");
              JdbcStorage storage = context.getBean(JdbcStorage.class);
              assertThat(storage.nodeId()).isEqualTo(1);
              assertThat(storage.tailCacheEntries())
                  .isEqualTo(JdbcStorage.DEFAULT_TAIL_CACHE_ENTRIES);
              assertThat(storage.durabilityDescription()).contains("CHECKPOINT SYNC");
              saveOneEntry(storage);
              assertThat(Files.exists(dir.resolve("raft.mv.db"))).isTrue();
            });
    // the pool was closed with the context, and the log is still there
    runner()
        .run(context -> assertThat(context.getBean(JdbcStorage.class).lastIndex()).isEqualTo(1));
  }

  @Test
  void ownDatabaseWithTheLogOfAnotherClusterStopsTheStartWithWhatToDo() {
    runner()
        .withPropertyValues("raft.cluster-id=orders")
        .run(context -> saveOneEntry(context.getBean(JdbcStorage.class)));
    runner()
        .withPropertyValues("raft.cluster-id=billing")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(ClusterLogMismatchException.class)
                  .hasMessageContaining("holds the raft log of node 1 in cluster [orders]")
                  .hasMessageContaining("raft.storage.data-dir");
              FailureAnalysis analysis =
                  new ClusterLogMismatchFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getAction()).startsWith("If this node belongs to that cluster");
              assertThat(analysis.getDescription()).endsWith("(raft.cluster-id).");
            });
    runner()
        .withPropertyValues("raft.cluster-id=orders")
        .run(context -> assertThat(context.getBean(JdbcStorage.class).lastIndex()).isEqualTo(1));
  }

  @Test
  void logOfRaftboot01IsMovedOnlyWhenThePropertyNamesThisCluster() {
    runner()
        .run(
            context -> {
              DataSource ds = context.getBean(RaftStorageDataSource.class).getDataSource();
              TestDatabases.createLegacySchema(ds);
              TestDatabases.runSql(
                  ds,
                  "INSERT INTO raft_log (node_id, idx, term) VALUES (1, 1, 1);"
                      + " INSERT INTO raft_hard_state (node_id, term, vote, commit_idx)"
                      + " VALUES (1, 1, 1, 1)");
            });
    runner()
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(ClusterLogMismatchException.class)
                  .hasMessageContaining("raft.storage.jdbc.legacy-log-cluster-id=raft");
            });
    runner()
        .withPropertyValues("raft.storage.jdbc.legacy-log-cluster-id=raft")
        .run(context -> assertThat(context.getBean(JdbcStorage.class).lastIndex()).isEqualTo(1));
    runner()
        .run(context -> assertThat(context.getBean(JdbcStorage.class).lastIndex()).isEqualTo(1));
  }

  @Test
  void closesItsOwnPoolWithTheContext() {
    HikariDataSource[] pool = new HikariDataSource[1];
    runner()
        .run(
            context -> {
              DataSource ds = context.getBean(RaftStorageDataSource.class).getDataSource();
              assertThat(ds).isInstanceOf(HikariDataSource.class);
              pool[0] = (HikariDataSource) ds;
              assertThat(pool[0].getPoolName()).isEqualTo("raft-storage");
            });
    assertThat(pool[0].isClosed()).isTrue();
  }

  @Test
  void defaultDataDirectoryIsNamedAfterTheNode() {
    RaftStorageProperties properties = new RaftStorageProperties();
    assertThat(RaftStorageDataSources.dataDir(properties, 7)).isEqualTo(Path.of("data", "raft-7"));
    assertThat(RaftStorageDataSources.defaultUrl(properties, 7))
        .isEqualTo(
            "jdbc:h2:file:"
                + Path.of("data", "raft-7").toAbsolutePath().normalize().resolve("raft")
                + ";DB_CLOSE_ON_EXIT=FALSE");
  }

  @Test
  void dependsOnTheSchemaInitializer() {
    runner()
        .run(
            context ->
                assertThat(context.getBeanFactory().getBeanDefinition("raftStorage").getDependsOn())
                    .contains("raftStorageSchemaInitializer"));
  }

  // --- each storage property -------------------------------------------------------------------

  @Test
  void tailCacheEntriesIsApplied() {
    runner()
        .withPropertyValues("raft.storage.tail-cache-entries=0")
        .run(context -> assertThat(context.getBean(JdbcStorage.class).tailCacheEntries()).isZero());
  }

  @Test
  void jdbcUrlUsernameAndPasswordOpenRaftsOwnDatabase() {
    String url =
        "jdbc:h2:file:" + dir.toAbsolutePath().resolve("custom") + ";DB_CLOSE_ON_EXIT=FALSE";
    runner()
        .withPropertyValues(
            "raft.storage.jdbc.url=" + url,
            "raft.storage.jdbc.username=raft",
            "raft.storage.jdbc.password=secret")
        .run(
            context -> {
              RaftStorageDataSource dataSource = context.getBean(RaftStorageDataSource.class);
              assertThat(dataSource.isOwned()).isTrue();
              assertThat(dataSource.getDescription())
                  .startsWith(url)
                  .contains("raft.storage.jdbc.url");
              HikariDataSource pool = (HikariDataSource) dataSource.getDataSource();
              assertThat(pool.getUsername()).isEqualTo("raft");
              saveOneEntry(context.getBean(JdbcStorage.class));
            });
    assertThat(Files.exists(dir.resolve("custom.mv.db"))).isTrue();
    runner()
        .withPropertyValues(
            "raft.storage.jdbc.url=" + url,
            "raft.storage.jdbc.username=raft",
            "raft.storage.jdbc.password=wrong")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void initializeSchemaNeverLeavesTheTablesToTheApplication() {
    runner()
        .withPropertyValues("raft.storage.jdbc.initialize-schema=never")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining(
                      "Do the tables raft_cluster_log, raft_cluster_hard_state and"
                          + " raft_cluster_snapshot exist?")
                  .hasStackTraceContaining("raft.storage.jdbc.initialize-schema");
            });
  }

  @Test
  void initializeSchemaEmbeddedDoesNotTreatAnH2FileAsEmbedded() {
    // Boot counts only in-memory databases as embedded, so "embedded" creates nothing here.
    runner()
        .withPropertyValues("raft.storage.jdbc.initialize-schema=embedded")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void schemaAndPlatformChooseTheScript() {
    runner()
        .withPropertyValues(
            "raft.storage.jdbc.schema=classpath:custom-raft-schema.sql",
            "raft.storage.jdbc.platform=h2")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              DataSource ds = context.getBean(RaftStorageDataSource.class).getDataSource();
              try (Connection c = ds.getConnection();
                  Statement st = c.createStatement();
                  ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM custom_schema_marker")) {
                assertThat(rs.next()).isTrue();
              }
            });
    runner()
        .withPropertyValues("raft.storage.jdbc.platform=oracle")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("No schema scripts found at location")
                    .hasStackTraceContaining("schema-oracle.sql"));
  }

  @Test
  void requireSyncRefusesADatabaseThatCannotBeSynced() throws SQLException {
    // A non-admin H2 user may not run CHECKPOINT SYNC, so its commits cannot be forced to disk.
    String url =
        "jdbc:h2:file:" + dir.toAbsolutePath().resolve("shared") + ";DB_CLOSE_ON_EXIT=FALSE";
    try (Connection admin = DriverManager.getConnection(url, "sa", "")) {
      HikariDataSource pool = new HikariDataSource();
      pool.setJdbcUrl(url);
      pool.setUsername("sa");
      try (pool) {
        JdbcStorageSchema.create(pool);
      }
      try (Statement st = admin.createStatement()) {
        st.execute("CREATE USER app PASSWORD 'app'");
        st.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON raft_cluster_log, raft_cluster_hard_state,"
                + " raft_cluster_snapshot TO app");
      }
      ApplicationContextRunner asApp =
          runner()
              .withPropertyValues(
                  "raft.storage.jdbc.url=" + url,
                  "raft.storage.jdbc.username=app",
                  "raft.storage.jdbc.password=app",
                  "raft.storage.jdbc.initialize-schema=never");
      asApp.run(
          context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                .rootCause()
                .hasMessageContaining("CHECKPOINT SYNC")
                .hasMessageContaining("raft.storage.jdbc.require-sync=false");
          });
      asApp
          .withPropertyValues("raft.storage.jdbc.require-sync=false")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                saveOneEntry(context.getBean(JdbcStorage.class));
              });
    }
  }

  @Test
  void allowInMemoryAcceptsAnInMemoryUrl() {
    runner()
        .withPropertyValues(
            "raft.storage.jdbc.url=jdbc:h2:mem:raft-allow;DB_CLOSE_DELAY=-1",
            "raft.storage.allow-in-memory=true")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(JdbcStorage.class).durabilityDescription())
                  .contains("in-memory");
            });
  }

  // --- the application's DataSource ------------------------------------------------------------

  @Test
  void ignoresTheInMemoryH2DatabaseBootCreates() {
    withBootDataSource()
        .run(
            context -> {
              assertThat(context).hasSingleBean(DataSource.class);
              RaftStorageDataSource raft = context.getBean(RaftStorageDataSource.class);
              assertThat(raft.getDataSource()).isNotSameAs(context.getBean(DataSource.class));
              assertThat(raft.getDescription()).contains("embedded H2 file database");
            });
  }

  @Test
  void useApplicationDatasourceTrueRefusesAnInMemoryDatabase() {
    withBootDataSource()
        .withPropertyValues("raft.storage.use-application-datasource=true")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(RaftStorageConfigurationException.class)
                  .hasMessageContaining("is an in-memory database")
                  .hasMessageContaining("raft.storage.allow-in-memory=true");
            });
  }

  @Test
  void useApplicationDatasourceTrueWithAllowInMemoryUsesIt() {
    withBootDataSource()
        .withPropertyValues(
            "raft.storage.use-application-datasource=true", "raft.storage.allow-in-memory=true")
        .run(
            context -> {
              RaftStorageDataSource raft = context.getBean(RaftStorageDataSource.class);
              assertThat(raft.getDataSource()).isSameAs(context.getBean(DataSource.class));
              assertThat(raft.isOwned()).isFalse();
            });
  }

  @Test
  void useApplicationDatasourceTrueWithoutADataSourceFails() {
    runner()
        .withPropertyValues("raft.storage.use-application-datasource=true")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("the application has no single DataSource bean"));
  }

  @Test
  void usesTheApplicationsH2FileDataSource() {
    String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("app") + ";DB_CLOSE_ON_EXIT=FALSE";
    withBootDataSource()
        .withPropertyValues("spring.datasource.url=" + url)
        .run(
            context -> {
              RaftStorageDataSource raft = context.getBean(RaftStorageDataSource.class);
              assertThat(raft.getDataSource()).isSameAs(context.getBean(DataSource.class));
              assertThat(raft.isOwned()).isFalse();
              assertThat(raft.getDescription()).contains("the application's DataSource");
            });
  }

  @Test
  void useApplicationDatasourceFalseKeepsRaftsOwnDatabase() {
    String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("app") + ";DB_CLOSE_ON_EXIT=FALSE";
    withBootDataSource()
        .withPropertyValues(
            "spring.datasource.url=" + url, "raft.storage.use-application-datasource=false")
        .run(
            context -> {
              RaftStorageDataSource raft = context.getBean(RaftStorageDataSource.class);
              assertThat(raft.getDataSource()).isNotSameAs(context.getBean(DataSource.class));
              assertThat(raft.getDescription()).contains("embedded H2 file database");
            });
  }

  @Test
  void usesTheApplicationsPostgresqlDataSource() {
    Assumptions.assumeTrue(
        TestDatabases.postgresqlReachable(),
        "PostgreSQL is not reachable at "
            + TestDatabases.POSTGRES_URL
            + "; point RAFT_TEST_POSTGRES_URL/_USER/_PASSWORD at a server to run this test");
    long nodeId = TestDatabases.uniqueNodeId();
    ApplicationContextRunner postgres =
        withBootDataSource()
            .withPropertyValues(
                "raft.node-id=" + nodeId,
                "raft.peers." + nodeId + "=http://localhost:8082",
                "spring.datasource.url=" + TestDatabases.POSTGRES_URL,
                "spring.datasource.username=" + TestDatabases.POSTGRES_USER,
                "spring.datasource.password=" + TestDatabases.POSTGRES_PASSWORD);
    try {
      postgres.run(
          context -> {
            assertThat(context).hasNotFailed();
            RaftStorageDataSource raft = context.getBean(RaftStorageDataSource.class);
            assertThat(raft.getDataSource()).isSameAs(context.getBean(DataSource.class));
            assertThat(raft.getDescription()).contains("jdbc:postgresql:");
            JdbcStorage storage = context.getBean(JdbcStorage.class);
            assertThat(storage.durabilityDescription()).contains("PostgreSQL");
            saveOneEntry(storage);
          });
      postgres.run(
          context -> assertThat(context.getBean(JdbcStorage.class).lastIndex()).isEqualTo(1));
    } finally {
      postgres.run(context -> TestDatabases.deleteNode(context.getBean(DataSource.class), nodeId));
    }
  }

  @Test
  void raftDataSourceQualifierWins() {
    runner()
        .withBean("dir", Path.class, () -> dir)
        .withUserConfiguration(TwoDataSourcesConfiguration.class)
        .run(
            context -> {
              RaftStorageDataSource raft = context.getBean(RaftStorageDataSource.class);
              assertThat(raft.getDataSource()).isSameAs(context.getBean("raftLogDataSource"));
              assertThat(raft.isOwned()).isFalse();
              assertThat(raft.getDescription()).contains("@RaftDataSource").contains("raft-log");
            });
  }

  @Test
  void raftDataSourceMustNotBeInMemory() {
    runner()
        .withUserConfiguration(InMemoryRaftDataSourceConfiguration.class)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("@RaftDataSource DataSource")
                    .hasMessageContaining("in-memory"));
  }

  // --- the file log (raft.storage.type=file) --------------------------------------------------

  @Test
  void typeFileKeepsTheLogInFilesOfTheDataDirectoryWithoutADatabase() {
    runner()
        .withPropertyValues("raft.storage.type=file", "raft.cluster-id=orders")
        .run(
            context -> {
              assertThat(context).hasSingleBean(FileLogStorage.class).hasSingleBean(Storage.class);
              assertThat(context).doesNotHaveBean(JdbcStorage.class);
              assertThat(context).doesNotHaveBean(RaftStorageDataSource.class);
              assertThat(context).doesNotHaveBean(RaftStorageSchemaInitializer.class);
              FileLogStorage storage = context.getBean(FileLogStorage.class);
              assertThat(storage.directory()).isEqualTo(dir.toAbsolutePath().normalize());
              assertThat(storage.clusterId()).isEqualTo("orders");
              storage.save(
                  HardState.newBuilder().setTerm(1).setVote(1).setCommit(1).build(),
                  List.of(Entry.newBuilder().setIndex(1).setTerm(1).build()),
                  Snapshot.getDefaultInstance());
            });
    assertThat(Files.exists(dir.resolve("raft.mv.db"))).isFalse();
    // closed with the context (else the directory lock would refuse this), and the log is there
    runner()
        .withPropertyValues("raft.storage.type=FILE", "raft.cluster-id=orders")
        .run(context -> assertThat(context.getBean(FileLogStorage.class).lastIndex()).isEqualTo(1));
  }

  @Test
  void aDataDirectoryKeepsTheTypeItsLogWasWrittenWith() {
    runner().run(context -> saveOneEntry(context.getBean(JdbcStorage.class)));
    runner()
        .withPropertyValues("raft.storage.type=file")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(RaftStorageConfigurationException.class)
                    .hasMessageContaining("written with raft.storage.type=jdbc"));
    Path other = dir.resolve("file-node");
    contextRunner
        .withPropertyValues("raft.storage.data-dir=" + other, "raft.storage.type=file")
        .run(context -> assertThat(context).hasSingleBean(FileLogStorage.class));
    contextRunner
        .withPropertyValues("raft.storage.data-dir=" + other)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(RaftStorageConfigurationException.class)
                    .hasMessageContaining("written with raft.storage.type=file"));
    assertThat(Files.exists(other.resolve("raft.mv.db"))).isFalse();
  }

  @Test
  void badFileLogSettingsAreRefusedWithTheProperty() {
    runner()
        .withPropertyValues("raft.storage.type=files")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("raft.storage.type")
                    .hasStackTraceContaining("files"));
    runner()
        .withPropertyValues("raft.storage.type=file", "raft.storage.file.segment-size=0")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("raft.storage.file.segment-size must be a positive size"));
    runner()
        .withPropertyValues("raft.storage.type=file", "raft.storage.file.segment-size=2GB")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("raft.storage.file.segment-size must be at most 1GB"));
    runner()
        .withPropertyValues("raft.storage.type=file", "raft.storage.jdbc.url=jdbc:h2:file:/tmp/x")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("raft.storage.type=file keeps the log in files"));
  }

  // --- backing off -----------------------------------------------------------------------------

  @Test
  void backsOffWhenTheApplicationDefinesARaftStorage() {
    runner()
        .withUserConfiguration(UserStorageConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Storage.class).hasSingleBean(RaftStorage.class);
              assertThat(context).doesNotHaveBean(JdbcStorage.class);
              assertThat(context).doesNotHaveBean(RaftStorageDataSource.class);
              assertThat(context).doesNotHaveBean(RaftStorageSchemaInitializer.class);
              assertThat(Files.exists(dir.resolve("raft.mv.db"))).isFalse();
            });
  }

  @Test
  void backsOffWhenRaftIsDisabled() {
    runner()
        .withPropertyValues("raft.enabled=false", "raft.node-id=0")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(Storage.class);
              assertThat(context).doesNotHaveBean(RaftProperties.class);
              assertThat(context).doesNotHaveBean(RaftStorageProperties.class);
            });
  }

  @Test
  void failureAnalysisSeparatesDescriptionAndAction() {
    var analysis =
        new RaftStorageConfigurationFailureAnalyzer()
            .analyze(new RaftStorageConfigurationException("What went wrong.", "What to do."));
    assertThat(analysis.getDescription()).isEqualTo("What went wrong.");
    assertThat(analysis.getAction()).isEqualTo("What to do.");
  }

  @Configuration(proxyBeanMethods = false)
  static class UserStorageConfiguration {

    @Bean
    RaftStorage userStorage() {
      return new MemoryRaftStorage();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class TwoDataSourcesConfiguration {

    @Bean
    @Primary
    HikariDataSource applicationDataSource(Path dir) {
      return TestDatabases.h2File(dir.resolve("application"));
    }

    @Bean
    @RaftDataSource
    HikariDataSource raftLogDataSource(Path dir) {
      return TestDatabases.h2File(dir.resolve("raft-log"));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class InMemoryRaftDataSourceConfiguration {

    @Bean
    @RaftDataSource
    HikariDataSource raftLogDataSource() {
      HikariDataSource pool = new HikariDataSource();
      pool.setJdbcUrl("jdbc:h2:mem:raft-qualified");
      return pool;
    }
  }
}
