package dev.raftboot.spring.autoconfigure.storage;

import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.storage.JdbcStorage;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;

/**
 * Auto-configuration of the raft log: a {@link JdbcStorage} in the database chosen as described on
 * {@link RaftStorageProperties}, with its tables created by Boot's database initialization. Backs off when
 * the application defines its own {@link RaftStorage} bean (the storage the raft runtime writes).
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
