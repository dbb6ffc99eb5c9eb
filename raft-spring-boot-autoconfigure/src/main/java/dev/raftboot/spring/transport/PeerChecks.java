package dev.raftboot.spring.transport;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The identity checks a transport ran on its peers and on this node's own URL. Thread-safe. */
public interface PeerChecks {

  /** The last check of every peer currently sent to, by id. */
  Map<Long, PeerCheck> peerChecks();

  /** The check of this node's own URL, or null if it was not run. */
  @Nullable PeerCheck selfCheck();
}
