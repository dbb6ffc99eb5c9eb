package dev.raftboot.confchange;

/** A configuration change that cannot be applied; the message is etcd's error text. */
public final class ConfChangeException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public ConfChangeException(String message) {
    super(message);
  }
}
