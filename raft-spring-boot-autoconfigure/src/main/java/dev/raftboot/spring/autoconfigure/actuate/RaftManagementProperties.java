package dev.raftboot.spring.autoconfigure.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the raft actuator endpoint ({@code raft.management.*}). */
@ConfigurationProperties("raft.management")
public class RaftManagementProperties {

  /**
   * Role a caller needs for the raft endpoint's write operations (membership, leadership,
   * snapshot) when Spring Security's web filter chain is configured, without the ROLE_ prefix.
   * The operations themselves are off until management.endpoint.raft.access=unrestricted.
   */
  private String adminRole = "RAFT_ADMIN";

  public String getAdminRole() {
    return adminRole;
  }

  public void setAdminRole(String adminRole) {
    this.adminRole = adminRole;
  }
}
