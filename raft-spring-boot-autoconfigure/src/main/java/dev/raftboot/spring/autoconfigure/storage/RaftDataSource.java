package dev.raftboot.spring.autoconfigure.storage;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Qualifies a {@code DataSource} bean as the database of the raft log, when it should not be the
 * application's main DataSource. Mark the application's own DataSource {@code @Primary} then, so
 * that the rest of the application keeps injecting that one.
 */
@Target({
  ElementType.FIELD,
  ElementType.METHOD,
  ElementType.PARAMETER,
  ElementType.TYPE,
  ElementType.ANNOTATION_TYPE
})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface RaftDataSource {}
