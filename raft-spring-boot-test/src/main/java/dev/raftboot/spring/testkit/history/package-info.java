/**
 * Recording the application's calls against a cluster for raft-testkit's linearizability checkers
 * ({@link dev.raftboot.spring.testkit.history.HistoryRecorder}).
 */
@NullMarked
package dev.raftboot.spring.testkit.history;

import org.jspecify.annotations.NullMarked;
