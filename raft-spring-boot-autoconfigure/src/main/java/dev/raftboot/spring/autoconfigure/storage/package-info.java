/**
 * Auto-configuration of the raft log storage: which database holds it, creating its tables, and the
 * {@link dev.raftboot.spring.storage.JdbcStorage} bean.
 */
@NullMarked
package dev.raftboot.spring.autoconfigure.storage;

import org.jspecify.annotations.NullMarked;
