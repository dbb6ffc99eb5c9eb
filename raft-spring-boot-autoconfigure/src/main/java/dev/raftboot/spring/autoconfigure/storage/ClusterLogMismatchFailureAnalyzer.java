package dev.raftboot.spring.autoconfigure.storage;

import dev.raftboot.spring.storage.ClusterLogMismatchException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link ClusterLogMismatchException} into Boot's startup failure report. */
class ClusterLogMismatchFailureAnalyzer extends AbstractFailureAnalyzer<ClusterLogMismatchException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ClusterLogMismatchException cause) {
    return RaftStorageConfigurationFailureAnalyzer.withAction(cause, cause.getAction());
  }
}
