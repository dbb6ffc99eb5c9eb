package dev.raftboot.spring.autoconfigure.storage;

/**
 * The configuration leaves raft without a database it may keep its log in. Reported at startup as a
 * failure analysis with the fix as its action.
 */
public class RaftStorageConfigurationException extends RuntimeException {

  private final String action;

  public RaftStorageConfigurationException(String description, String action) {
    super(description + " " + action);
    this.action = action;
  }

  /** What to change. */
  public String getAction() {
    return action;
  }
}
