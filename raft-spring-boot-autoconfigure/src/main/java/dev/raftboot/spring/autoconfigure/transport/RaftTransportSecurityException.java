package dev.raftboot.spring.autoconfigure.transport;

/**
 * The peer transport would run without authentication where it must not; the message says what is
 * wrong and {@link #getAction()} what to set.
 */
public class RaftTransportSecurityException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String action;

  RaftTransportSecurityException(String description, String action) {
    super(description + " " + action);
    this.action = action;
  }

  /** What to set to fix it. */
  public String getAction() {
    return action;
  }
}
