package dev.raftboot.spring.autoconfigure.storage;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link RaftStorageConfigurationException} into Boot's startup failure report. */
class RaftStorageConfigurationFailureAnalyzer
    extends AbstractFailureAnalyzer<RaftStorageConfigurationException> {

  @Override
  protected FailureAnalysis analyze(
      Throwable rootFailure, RaftStorageConfigurationException cause) {
    String message = cause.getMessage();
    String description =
        message.endsWith(cause.getAction())
            ? message.substring(0, message.length() - cause.getAction().length()).strip()
            : message;
    return new FailureAnalysis(description, cause.getAction(), cause);
  }
}
