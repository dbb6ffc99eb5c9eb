package dev.raftboot.spring.autoconfigure.storage;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link RaftStorageConfigurationException} into Boot's startup failure report. */
class RaftStorageConfigurationFailureAnalyzer
    extends AbstractFailureAnalyzer<RaftStorageConfigurationException> {

  @Override
  protected FailureAnalysis analyze(
      Throwable rootFailure, RaftStorageConfigurationException cause) {
    return withAction(cause, cause.getAction());
  }

  /** The analysis of an exception whose message ends with {@code action}: the rest describes. */
  static FailureAnalysis withAction(Throwable cause, String action) {
    String message = cause.getMessage();
    String description =
        message.endsWith(action)
            ? message.substring(0, message.length() - action.length()).strip()
            : message;
    return new FailureAnalysis(description, action, cause);
  }
}
