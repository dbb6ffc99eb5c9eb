package dev.raftboot.spring.autoconfigure.web;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** How replication failures reach the application's HTTP callers ({@code raft.web.*}). */
@ConfigurationProperties("raft.web")
public class RaftWebProperties {

  /**
   * Whether to answer the replication failures (NotAppliedException other than
   * InvalidCommandException, and OutcomeUnknownException) thrown by the application's Spring MVC
   * controllers as problem details (503 "not applied" or "not read" with Retry-After, 504
   * "outcome unknown").
   */
  private boolean problemDetails = true;

  public boolean isProblemDetails() {
    return problemDetails;
  }

  public void setProblemDetails(boolean problemDetails) {
    this.problemDetails = problemDetails;
  }
}
