package dev.raftboot.spring.autoconfigure.storage;

import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.util.StringUtils;

/**
 * Creates the raft tables through Spring Boot's database initialization, following {@code
 * raft.storage.jdbc.initialize-schema}, {@code schema} and {@code platform}. MySQL is given the
 * MariaDB script. Beans that use the storage are initialized after it.
 */
public class RaftStorageSchemaInitializer extends DataSourceScriptDatabaseInitializer {

  public RaftStorageSchemaInitializer(DataSource dataSource, RaftStorageProperties.Jdbc properties) {
    super(dataSource, settings(dataSource, properties));
  }

  static DatabaseInitializationSettings settings(
      DataSource dataSource, RaftStorageProperties.Jdbc properties) {
    DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
    settings.setMode(properties.getInitializeSchema());
    settings.setContinueOnError(false);
    if (properties.getInitializeSchema() != DatabaseInitializationMode.NEVER) {
      settings.setSchemaLocations(schemaLocations(dataSource, properties));
    }
    return settings;
  }

  private static List<String> schemaLocations(
      DataSource dataSource, RaftStorageProperties.Jdbc properties) {
    PlatformPlaceholderDatabaseDriverResolver resolver =
        new PlatformPlaceholderDatabaseDriverResolver()
            .withDriverPlatform(DatabaseDriver.MYSQL, "mariadb");
    if (StringUtils.hasText(properties.getPlatform())) {
      return resolver.resolveAll(properties.getPlatform(), properties.getSchema());
    }
    return resolver.resolveAll(dataSource, properties.getSchema());
  }
}
