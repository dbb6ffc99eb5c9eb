package dev.raftboot.spring.autoconfigure.health;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** How the raft health takes part in the application's health groups ({@code raft.health.*}). */
@ConfigurationProperties("raft.health")
public class RaftHealthProperties {

  /**
   * Whether to add the raft health to the readiness group (/actuator/health/readiness), so that
   * a node that knows no leader, or is not a member, is reported as not ready.
   */
  private boolean readiness;

  public boolean isReadiness() {
    return readiness;
  }

  public void setReadiness(boolean readiness) {
    this.readiness = readiness;
  }
}
