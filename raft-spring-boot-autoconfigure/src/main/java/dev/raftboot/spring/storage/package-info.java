/**
 * Raft log storage in a relational database: {@link dev.raftboot.spring.storage.JdbcStorage}, its
 * schema scripts and the helpers that decide how a database is made to sync commits to disk.
 */
@NullMarked
package dev.raftboot.spring.storage;

import org.jspecify.annotations.NullMarked;
