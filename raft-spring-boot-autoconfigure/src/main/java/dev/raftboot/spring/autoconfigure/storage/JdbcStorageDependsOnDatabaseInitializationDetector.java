package dev.raftboot.spring.autoconfigure.storage;

import dev.raftboot.spring.storage.JdbcStorage;
import java.util.Set;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;

/**
 * Makes {@link JdbcStorage} beans wait for database initialization (the raft schema script, and
 * Flyway or Liquibase when they create the tables instead), since a storage reads its tables as
 * soon as it is created.
 */
class JdbcStorageDependsOnDatabaseInitializationDetector
    extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {

  @Override
  protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
    return Set.of(JdbcStorage.class);
  }
}
