package dev.raftboot.spring.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens once a storage write of this node failed: the one entry point is {@link
 * #writeFailed}, called by whoever caught the failure (the persist stage). The first failure is
 * recorded in the {@link NodeState}, which stops the raft loop and makes every call refuse; it is
 * logged once, at ERROR, with what to do. On a thread of its own, the server then fails what waits
 * on it and the {@link StorageFailurePolicy} runs. Later failures (of writes already under way)
 * change nothing.
 */
final class StorageFault {

  private static final Logger log = LoggerFactory.getLogger(StorageFault.class);

  private final RaftServer server;
  private final NodeState state;
  private final LoopInbox inbox;
  private final StorageFailurePolicy policy;

  StorageFault(RaftServer server, NodeState state, LoopInbox inbox, StorageFailurePolicy policy) {
    this.server = server;
    this.state = state;
    this.inbox = inbox;
    this.policy = policy;
  }

  /** A storage write failed with {@code e}; any thread. Returns at once. */
  void writeFailed(RuntimeException e) {
    if (!state.storageFailed(describe(e))) {
      return;
    }
    String node = Long.toUnsignedString(state.nodeId());
    log.error(
        "raft node {} stopped taking part and refuses commands and reads: a storage write failed"
            + " ({}). Free disk space or fix the storage, then {}",
        node,
        state.storageFailure(),
        policy instanceof StorageFailurePolicy.StopApplication
            ? "let the application be restarted (it stops now); it resumes from what was stored"
            : "restart the application; it resumes from what was stored",
        e);
    // The raft loop may be waiting for input: wake it so that it sees it must end.
    inbox.put(new LoopInput.Wake());
    Thread t = new Thread(this::afterFailure, "raft-storage-failure-" + node);
    t.setDaemon(true);
    t.start();
  }

  private void afterFailure() {
    server.abandonAfterStorageFailure();
    if (policy instanceof StorageFailurePolicy.StopApplication stop) {
      stop.stop().run();
    } else if (!(policy instanceof StorageFailurePolicy.StayDown)) {
      throw new IllegalStateException("no handling for " + policy);
    }
  }

  /** The failure and its innermost cause, which usually names the real problem (disk full). */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(e.getMessage());
    return root == e || message.contains(String.valueOf(root.getMessage()))
        ? e.getClass().getSimpleName() + ": " + message
        : e.getClass().getSimpleName() + ": " + message + "; caused by " + root;
  }
}
