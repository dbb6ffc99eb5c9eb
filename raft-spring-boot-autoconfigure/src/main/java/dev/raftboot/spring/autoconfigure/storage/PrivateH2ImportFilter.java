package dev.raftboot.spring.autoconfigure.storage;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Keeps the H2 driver that the starter brings for raft's own log from turning into an application
 * database. Spring Boot creates an in-memory H2 {@code DataSource} (and a {@code db} health
 * component) whenever H2 is on the class path and no URL is configured; in an application that has
 * no database of its own that pool would be spurious. So Boot's {@code DataSourceAutoConfiguration}
 * is left out when raft is enabled, H2 is the embedded database Boot would pick, and none of {@code
 * spring.datasource.url}, {@code spring.datasource.jndi-name} or {@code
 * spring.datasource.embedded-database-connection} is set. An application that wants Boot's
 * in-memory H2 next to raft sets {@code spring.datasource.embedded-database-connection=h2}; a
 * {@code DataSource} bean of the application's own is unaffected.
 */
class PrivateH2ImportFilter
    implements AutoConfigurationImportFilter, EnvironmentAware, BeanClassLoaderAware {

  static final String DATA_SOURCE_AUTO_CONFIGURATION =
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

  private static final String[] APPLICATION_DATABASE_PROPERTIES = {
    "spring.datasource.url",
    "spring.datasource.jndi-name",
    "spring.datasource.embedded-database-connection"
  };

  private static final Log logger = LogFactory.getLog(PrivateH2ImportFilter.class);

  private @Nullable Environment environment;
  private @Nullable ClassLoader classLoader;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  @Override
  public boolean[] match(
      @Nullable String[] autoConfigurationClasses,
      AutoConfigurationMetadata autoConfigurationMetadata) {
    boolean[] matches = new boolean[autoConfigurationClasses.length];
    for (int i = 0; i < matches.length; i++) {
      matches[i] =
          !DATA_SOURCE_AUTO_CONFIGURATION.equals(autoConfigurationClasses[i])
              || !embeddedH2WouldBeSpurious();
    }
    return matches;
  }

  private boolean embeddedH2WouldBeSpurious() {
    Environment env = environment;
    if (env == null || !env.getProperty("raft.enabled", Boolean.class, true)) {
      return false;
    }
    for (String property : APPLICATION_DATABASE_PROPERTIES) {
      if (env.containsProperty(property)) {
        return false;
      }
    }
    if (EmbeddedDatabaseConnection.get(classLoader) != EmbeddedDatabaseConnection.H2) {
      return false;
    }
    logger.info(
        "No spring.datasource.url is set, so no application DataSource is created from the H2"
            + " driver that raft brings for its own log; set"
            + " spring.datasource.embedded-database-connection=h2 for an in-memory one");
    return true;
  }
}
