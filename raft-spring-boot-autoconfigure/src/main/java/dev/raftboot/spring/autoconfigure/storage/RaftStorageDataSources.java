package dev.raftboot.spring.autoconfigure.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.spring.storage.FileLogStorage;
import dev.raftboot.spring.storage.JdbcUrls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.util.ClassUtils;

/**
 * Chooses the database of the raft log, following the rules on {@link RaftStorageProperties}: raft's own
 * URL, then a {@link RaftDataSource @RaftDataSource} bean, then the application's DataSource if it
 * is durable, then raft's own H2 file database.
 */
final class RaftStorageDataSources {

  private static final Log logger = LogFactory.getLog(RaftStorageDataSources.class);

  private static final String H2_DRIVER = "org.h2.Driver";
  private static final String HIKARI = "com.zaxxer.hikari.HikariDataSource";

  private RaftStorageDataSources() {}

  static RaftStorageDataSource select(
      RaftStorageProperties storage,
      long nodeId,
      @Nullable DataSource raftDataSource,
      @Nullable DataSource applicationDataSource,
      @Nullable ClassLoader classLoader) {
    RaftStorageProperties.Jdbc jdbc = storage.getJdbc();
    if (jdbc.getUrl() != null && !jdbc.getUrl().isBlank()) {
      return own(
          jdbc.getUrl(),
          jdbc.getUsername(),
          jdbc.getPassword(),
          classLoader,
          "raft.storage.jdbc.url");
    }
    if (raftDataSource != null) {
      String url = url(raftDataSource, "the @RaftDataSource DataSource");
      if (JdbcUrls.isInMemory(url) && !storage.isAllowInMemory()) {
        throw new RaftStorageConfigurationException(
            "The @RaftDataSource DataSource ("
                + url
                + ") is an in-memory database, so the raft log"
                + " would be lost at every restart.",
            "Give the @RaftDataSource bean a file or server database, or set"
                + " raft.storage.allow-in-memory=true in tests.");
      }
      return RaftStorageDataSource.borrowed(
          raftDataSource, "the @RaftDataSource DataSource (" + url + ")");
    }
    Boolean useApplication = storage.getUseApplicationDatasource();
    if (Boolean.TRUE.equals(useApplication) && applicationDataSource == null) {
      throw new RaftStorageConfigurationException(
          "raft.storage.use-application-datasource=true, but the application has no single"
              + " DataSource bean.",
          "Define a DataSource (spring.datasource.url), mark one of several @Primary, or remove"
              + " raft.storage.use-application-datasource to let raft use its own H2 database.");
    }
    if (applicationDataSource != null && !Boolean.FALSE.equals(useApplication)) {
      String url = url(applicationDataSource, "the application's DataSource");
      if (!JdbcUrls.isInMemory(url)) {
        return RaftStorageDataSource.borrowed(
            applicationDataSource, "the application's DataSource (" + url + ")");
      }
      if (Boolean.TRUE.equals(useApplication)) {
        if (!storage.isAllowInMemory()) {
          throw new RaftStorageConfigurationException(
              "raft.storage.use-application-datasource=true, but the application's DataSource ("
                  + url
                  + ") is an in-memory database, so the raft log would be lost at every restart.",
              "Point spring.datasource.url at a file or server database, remove"
                  + " raft.storage.use-application-datasource so that raft uses its own H2 file"
                  + " database, or set raft.storage.allow-in-memory=true in tests.");
        }
        return RaftStorageDataSource.borrowed(
            applicationDataSource, "the application's in-memory DataSource (" + url + ")");
      }
      logger.info(
          "The application's DataSource ("
              + url
              + ") is an in-memory database; the raft log goes to its own H2 file database"
              + " instead");
    }
    return ownH2File(storage, nodeId, classLoader);
  }

  /** Where raft's own H2 database lives: {@code data-dir}, or {@code ./data/raft-<node-id>}. */
  static Path dataDir(RaftStorageProperties storage, long nodeId) {
    Path dir = storage.getDataDir();
    return dir != null ? dir : Path.of("data", "raft-" + Long.toUnsignedString(nodeId));
  }

  /** The file of raft's own H2 database in the data-dir. */
  static final String H2_FILE = "raft.mv.db";

  /** The URL of raft's own H2 file database. */
  static String defaultUrl(RaftStorageProperties storage, long nodeId) {
    // The pool closes the database with the application context, after raft has stopped; H2's
    // own shutdown hook could close it while raft is still writing.
    return "jdbc:h2:file:"
        + dataDir(storage, nodeId).toAbsolutePath().normalize().resolve("raft")
        + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  private static RaftStorageDataSource ownH2File(
      RaftStorageProperties storage, long nodeId, @Nullable ClassLoader classLoader) {
    if (!ClassUtils.isPresent(H2_DRIVER, classLoader)) {
      throw new RaftStorageConfigurationException(
          "The raft log needs a database: there is no raft.storage.jdbc.url, no durable"
              + " application DataSource, and H2 (raft's default embedded database) is not on the"
              + " class path.",
          "Add the dependency com.h2database:h2, set raft.storage.jdbc.url, or define a DataSource"
              + " for a file or server database.");
    }
    Path dir = dataDir(storage, nodeId).toAbsolutePath().normalize();
    if (FileLogStorage.holdsLog(dir)) {
      throw new RaftStorageConfigurationException(
          "raft.storage.data-dir " + dir + " holds a raft log written with raft.storage.type=file."
              + " An H2 log started beside it would be empty: the node would forget its votes and"
              + " acknowledged entries.",
          "Set raft.storage.type=file for this node, or rebuild the node from its peers with an"
              + " empty data-dir (src-docs/operations.md, \"Rebuilding a node\").");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create raft.storage.data-dir " + dir, e);
    }
    DataSource dataSource = pool(defaultUrl(storage, nodeId), "sa", "", classLoader);
    return RaftStorageDataSource.dedicated(
        dataSource,
        JdbcUrls.redact(defaultUrl(storage, nodeId)) + " (embedded H2 file database in " + dir + ")");
  }

  private static RaftStorageDataSource own(
      String url,
      @Nullable String username,
      @Nullable String password,
      @Nullable ClassLoader classLoader,
      String origin) {
    return RaftStorageDataSource.owned(
        pool(url, username, password, classLoader), JdbcUrls.redact(url) + " (" + origin + ")");
  }

  private static DataSource pool(
      String url,
      @Nullable String username,
      @Nullable String password,
      @Nullable ClassLoader classLoader) {
    DataSourceBuilder<?> builder = DataSourceBuilder.create(classLoader).url(url);
    if (username != null) {
      builder.username(username);
    }
    if (password != null) {
      builder.password(password);
    }
    DataSource dataSource = builder.build();
    if (ClassUtils.isPresent(HIKARI, classLoader)) {
      Hikari.tune(dataSource);
    }
    return dataSource;
  }

  private static String url(DataSource dataSource, String what) {
    try (Connection connection = dataSource.getConnection()) {
      String url = connection.getMetaData().getURL();
      return url != null ? JdbcUrls.redact(url) : "unknown URL";
    } catch (SQLException e) {
      throw new RaftStorageConfigurationException(
          "Could not connect to "
              + what
              + " to check whether it may hold the raft log: "
              + e.getMessage(),
          "Make the database reachable, or set raft.storage.use-application-datasource=false (or"
              + " raft.storage.jdbc.url) to give raft a database of its own.");
    }
  }

  /** Pool settings for raft's own database: one writer and a few readers need few connections. */
  private static final class Hikari {

    static void tune(DataSource dataSource) {
      if (dataSource instanceof HikariDataSource hikari) {
        hikari.setPoolName("raft-storage");
        hikari.setMaximumPoolSize(4);
        hikari.setMinimumIdle(1);
        hikari.setExceptionOverride(new ClosedDatabaseEviction());
      }
    }
  }
}
