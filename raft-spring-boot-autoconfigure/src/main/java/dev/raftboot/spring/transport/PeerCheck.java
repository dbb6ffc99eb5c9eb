package dev.raftboot.spring.transport;

import java.net.URI;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of the last identity check of a peer (or of this node's own URL): whether the node at
 * {@code url} proved to be the expected node of this cluster, and if not, why.
 *
 * @param state where the check stands
 * @param url the address checked
 * @param detail what was found, for an operator: the node that answered, or why none did
 * @param checkedAt when the check ended, or null if it has not run yet
 */
public record PeerCheck(State state, @Nullable URI url, String detail, @Nullable Instant checkedAt) {

  /** Where a check stands. */
  public enum State {
    /** Not checked yet, or to be checked again: nothing is sent until it passes. */
    PENDING,
    /** The peer proved its node id and, with a secret configured, its knowledge of the secret. */
    VERIFIED,
    /** The check failed; {@link PeerCheck#detail()} says why. Nothing is sent to the peer. */
    FAILED
  }

  static PeerCheck pending(@Nullable URI url, String detail) {
    return new PeerCheck(State.PENDING, url, detail, null);
  }

  /** Whether the check passed for {@code address}. */
  boolean verifies(@Nullable URI address) {
    return state == State.VERIFIED && url != null && url.equals(address);
  }
}
