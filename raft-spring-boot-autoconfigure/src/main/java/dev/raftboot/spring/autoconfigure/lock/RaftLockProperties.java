package dev.raftboot.spring.autoconfigure.lock;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Configuration of raftboot's replicated locks and leases ({@code raft.lock.*}). */
@ConfigurationProperties("raft.lock")
public class RaftLockProperties {

  /** Whether to replicate a lock table and offer locks, leases and leader-only work. */
  private boolean enabled = true;

  /**
   * Share of every lease's time to live that its holder gives up at the end, between 0 and 1: it
   * covers clocks that run at different rates on different machines. 0.1 means a holder stops
   * relying on a 10 s lease 9 s after it sent the request.
   */
  private double safetyMargin = 0.1;

  /** How often every node looks for leases whose time to live has passed (the leader ends them). */
  private Duration expiryCheckInterval = Duration.ofMillis(100);

  /** Time to live of locks acquired without one, such as Spring Integration's lock(). */
  private Duration defaultTtl = Duration.ofSeconds(30);

  private final Leader leader = new Leader();

  /** Leader-only work ({@code LeaderWork} beans). */
  public static class Leader {

    /** Name of the lock that guards the leader-only work. */
    private String lockName = "raftboot.leader";

    /**
     * Time to live of the leadership lease: how long the cluster waits after a leader stops
     * renewing it before the work may start on another node. Renewed every third of it.
     */
    private Duration ttl = Duration.ofSeconds(10);

    public String getLockName() {
      return lockName;
    }

    public void setLockName(String lockName) {
      this.lockName = lockName;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public double getSafetyMargin() {
    return safetyMargin;
  }

  public void setSafetyMargin(double safetyMargin) {
    this.safetyMargin = safetyMargin;
  }

  public Duration getExpiryCheckInterval() {
    return expiryCheckInterval;
  }

  public void setExpiryCheckInterval(Duration expiryCheckInterval) {
    this.expiryCheckInterval = expiryCheckInterval;
  }

  public Duration getDefaultTtl() {
    return defaultTtl;
  }

  public void setDefaultTtl(Duration defaultTtl) {
    this.defaultTtl = defaultTtl;
  }

  public Leader getLeader() {
    return leader;
  }
}
