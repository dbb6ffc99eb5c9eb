package dev.raftboot.spring.autoconfigure.storage;

import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.storage.FileLogStorage;
import dev.raftboot.spring.storage.JdbcStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;

/**
 * Auto-configuration of the raft log: a {@link JdbcStorage} in the database chosen as described on
 * {@link RaftStorageProperties}, with its tables created by Boot's database initialization, or with
 * {@code raft.storage.type=file} a {@link FileLogStorage} in {@code raft.storage.data-dir}. Backs
 * off when the application defines its own {@link RaftStorage} bean (the storage the raft runtime
 * writes).
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({DataSource.class, DataSourceScriptDatabaseInitializer.class})
@ConditionalOnBooleanProperty(name = "raft.enabled", matchIfMissing = true)
@EnableConfigurationProperties({RaftProperties.class, RaftStorageProperties.class})
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class RaftStorageAutoConfiguration {

  private static final Log logger = LogFactory.getLog(RaftStorageAutoConfiguration.class);

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(RaftStorage.class)
  @ConditionalOnProperty(name = "raft.storage.type", havingValue = "file")
  static final class FileLogStorageConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(RaftStorage.class)
    FileLogStorage raftStorage(RaftProperties properties, RaftStorageProperties storage) {
      Path dir = RaftStorageDataSources.dataDir(storage, properties.getNodeId()).toAbsolutePath().normalize();
      if (Files.exists(dir.resolve(RaftStorageDataSources.H2_FILE))) {
        throw new RaftStorageConfigurationException(
            "raft.storage.type=file, but raft.storage.data-dir " + dir + " holds the H2 database"
                + " of a raft log written with raft.storage.type=jdbc. A file log started beside it"
                + " would be empty: the node would forget its votes and acknowledged entries.",
            "Keep raft.storage.type=jdbc for this node, or rebuild the node from its peers with an"
                + " empty data-dir (src-docs/operations.md, \"Rebuilding a node\").");
      }
      logger.info("Raft log of node " + properties.getNodeId() + " is kept in files in " + dir);
      return FileLogStorage.builder(dir, properties.getNodeId())
          .clusterId(properties.getClusterId())
          .segmentSize(storage.getFile().getSegmentSize().toBytes())
          .open();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(RaftStorage.class)
  @ConditionalOnProperty(name = "raft.storage.type", havingValue = "jdbc", matchIfMissing = true)
  static final class JdbcStorageConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RaftStorageDataSource raftStorageDataSource(
        RaftProperties properties,
        RaftStorageProperties storage,
        @RaftDataSource ObjectProvider<DataSource> raftDataSource,
        ObjectProvider<DataSource> dataSources,
        ResourceLoader resourceLoader) {
      return RaftStorageDataSources.select(
          storage,
          properties.getNodeId(),
          raftDataSource.getIfAvailable(),
          dataSources.getIfUnique(),
          resourceLoader.getClassLoader());
    }

    @Bean
    @ConditionalOnMissingBean
    RaftStorageSchemaInitializer raftStorageSchemaInitializer(
        RaftStorageDataSource dataSource, RaftStorageProperties storage) {
      return new RaftStorageSchemaInitializer(dataSource.getDataSource(), storage.getJdbc());
    }

    @Bean
    @ConditionalOnMissingBean(RaftStorage.class)
    JdbcStorage raftStorage(
        RaftStorageDataSource dataSource, RaftProperties properties, RaftStorageProperties storage) {
      logger.info("Raft log of node " + properties.getNodeId() + " is kept in " + dataSource);
      return JdbcStorage.builder(dataSource.getDataSource(), properties.getNodeId())
          .clusterId(properties.getClusterId())
          .legacyLogClusterId(storage.getJdbc().getLegacyLogClusterId())
          .singleCluster(dataSource.isDedicated())
          .tailCacheEntries(storage.getTailCacheEntries())
          .requireSyncedCommits(storage.getJdbc().isRequireSync())
          .build();
    }
  }
}
