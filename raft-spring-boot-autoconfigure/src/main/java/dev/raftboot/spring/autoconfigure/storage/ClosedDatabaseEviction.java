package dev.raftboot.spring.autoconfigure.storage;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;
import java.util.Set;

/**
 * Makes a Hikari pool drop a connection to an embedded H2 database that closed itself, which H2
 * does when a write fails (a full disk): its SQL state is not one Hikari treats as a broken
 * connection, so without this the pool would hand out the dead connections forever, and a node
 * with {@code raft.storage.on-failure=restart-node} could never write again. A new connection
 * opens the database again from its file. Every other error is left to Hikari's own rules.
 */
public final class ClosedDatabaseEviction implements SQLExceptionOverride {

  /** H2's "database is closed" (90098) and "database called at shutdown" (90121). */
  private static final Set<String> CLOSED = Set.of("90098", "90121");

  @java.lang.Override
  public Override adjudicate(SQLException e) {
    return CLOSED.contains(e.getSQLState()) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
  }
}
