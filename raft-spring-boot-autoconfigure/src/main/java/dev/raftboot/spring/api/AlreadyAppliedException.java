package dev.raftboot.spring.api;

/**
 * A retry of a command with an {@link IdempotencyKey}: the command was applied once before (at
 * {@link #firstIndex()}) and this copy was not, on any node, but the node that answers no longer
 * has the first application's outcome (it restored a snapshot taken after it). Do not retry:
 * read the state to learn the effect.
 */
public final class AlreadyAppliedException extends ReplicationException {

  private final String key;
  private final long firstIndex;

  public AlreadyAppliedException(String key, long firstIndex) {
    super(
        "the command with idempotency key '" + key + "' was applied at log index " + firstIndex
            + "; this retry was not applied, and its first outcome is no longer known on this node");
    this.key = key;
    this.firstIndex = firstIndex;
  }

  /** The idempotency key the command carried. */
  public String key() {
    return key;
  }

  /** The log index of the entry that applied the command. */
  public long firstIndex() {
    return firstIndex;
  }
}
