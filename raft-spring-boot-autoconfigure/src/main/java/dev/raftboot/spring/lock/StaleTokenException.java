package dev.raftboot.spring.lock;

/**
 * A write carried a fencing token older than one the resource has already seen: a later holder
 * of the lock has written, so this holder's lease ended (even if it has not noticed yet). Roll
 * back the transaction.
 */
public final class StaleTokenException extends RuntimeException {

  private final String resource;
  private final long token;
  private final long current;

  public StaleTokenException(String resource, long token, long current) {
    super(
        "fencing token " + token + " for '" + resource + "' is stale: token " + current
            + " has written already; the lease that issued " + token + " has ended");
    this.resource = resource;
    this.token = token;
    this.current = current;
  }

  public String resource() {
    return resource;
  }

  public long token() {
    return token;
  }

  /** The largest token recorded for the resource. */
  public long current() {
    return current;
  }
}
