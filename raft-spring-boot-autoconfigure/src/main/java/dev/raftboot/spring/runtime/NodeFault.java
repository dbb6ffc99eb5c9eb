package dev.raftboot.spring.runtime;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens once this node cannot go on safely: a storage write failed ({@link #writeFailed},
 * called by the persist stage), or one of its threads met an unexpected error ({@link
 * #unexpected}, called by the raft loop and the apply loop). Both stop the node the same way: the
 * first failure is recorded in the {@link NodeState}, which stops the raft loop and the persist
 * stage and makes every call refuse; it is logged once, at ERROR, with what happens next. On a
 * thread of its own, the server then fails what waits on it and the {@link StorageFailurePolicy}
 * runs. Later failures (of writes already under way) change nothing until the node was rebuilt.
 */
final class NodeFault {

  private static final Logger log = LoggerFactory.getLogger(NodeFault.class);
  private static final String STORAGE_FAILURE = "storage failure";

  private final RaftServer server;
  private final NodeState state;
  private final LoopInbox inbox;
  private final StorageFailurePolicy policy;

  NodeFault(RaftServer server, NodeState state, LoopInbox inbox, StorageFailurePolicy policy) {
    this.server = server;
    this.state = state;
    this.inbox = inbox;
    this.policy = policy;
  }

  /** A storage write failed with {@code e}; any thread. Returns at once. */
  void writeFailed(Throwable e) {
    fail(new NodeState.Failure(STORAGE_FAILURE, describe(e)), true, e);
  }

  /**
   * The thread {@code thread} ("raft loop", "apply thread") ends after the unexpected error {@code
   * e}; any thread. Returns at once. {@code stateTrusted} is false when the application's state may
   * have been left half-changed (the apply thread failed): then the node is not rebuilt in place.
   */
  void unexpected(String thread, Throwable e, boolean stateTrusted) {
    fail(new NodeState.Failure("unexpected error in the " + thread, describe(e)), stateTrusted, e);
  }

  private void fail(NodeState.Failure failure, boolean stateTrusted, Throwable e) {
    if (!state.failed(failure)) {
      return;
    }
    String node = Long.toUnsignedString(state.nodeId());
    log.error(
        "raft node {} stopped taking part and refuses commands and reads: {}. {}",
        node,
        failure.reason(),
        whatNext(failure, stateTrusted),
        e);
    // The raft loop may be waiting for input: wake it so that it sees it must end.
    inbox.put(new LoopInput.Wake());
    Thread t = new Thread(() -> afterFailure(stateTrusted), "raft-node-failure-" + node);
    t.setDaemon(true);
    t.start();
  }

  private String whatNext(NodeState.Failure failure, boolean stateTrusted) {
    String fix =
        failure.kind().equals(STORAGE_FAILURE)
            ? "Free disk space or fix the storage"
            : "Its stack trace follows: an OutOfMemoryError is the JVM's, anything else a bug to"
                + " report";
    if (policy instanceof StorageFailurePolicy.StopApplication) {
      return fix + ". The application stops now, to be restarted; it resumes from what was stored";
    } else if (policy instanceof StorageFailurePolicy.RestartNode restart && stateTrusted) {
      return fix + ". The node tries a storage write every " + restart.probeInterval().toMillis()
          + " ms and rebuilds itself from what was stored once one succeeds";
    }
    return fix + ", then restart the application; it resumes from what was stored";
  }

  private void afterFailure(boolean stateTrusted) {
    server.abandonAfterFailure();
    if (policy instanceof StorageFailurePolicy.StopApplication stop) {
      stop.stop().run();
    } else if (policy instanceof StorageFailurePolicy.RestartNode restart) {
      if (stateTrusted) {
        rebuildOnceStorageWorks(restart.probeInterval());
      }
    } else if (!(policy instanceof StorageFailurePolicy.StayDown)) {
      throw new IllegalStateException("no handling for " + policy);
    }
  }

  /**
   * Probes the storage every {@code interval} until a synced write succeeds, then rebuilds the node
   * from storage; gives up when the node is stopped meanwhile or cannot be rebuilt in place.
   */
  private void rebuildOnceStorageWorks(Duration interval) {
    String node = Long.toUnsignedString(state.nodeId());
    boolean probeFailed = false;
    while (true) {
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (!server.isRunning()) {
        return;
      }
      try {
        server.probeStorage();
      } catch (RuntimeException | Error stillFailing) {
        // An Error too: a database driver may assert on the state a failed write left behind.
        // The first failed probe at INFO, as it tells how a write fails now; the others at DEBUG.
        if (!probeFailed) {
          log.info(
              "raft node {} is still out: its storage probe failed ({}); it tries again every {} ms",
              node, describe(stillFailing), interval.toMillis());
          probeFailed = true;
        } else {
          log.debug("raft node {}: storage probe failed: {}", node, describe(stillFailing));
        }
        continue;
      }
      NodeState.Failure failure = state.failure();
      try {
        if (server.rebuildFromStorage()) {
          log.warn(
              "raft node {} recovered: a storage write succeeded again after it stopped ({}); it was"
                  + " rebuilt from what was stored and rejoins as a follower",
              node,
              failure == null ? "" : failure.reason());
        }
        return;
      } catch (RuntimeException | Error e) {
        log.warn("raft node {} could not be rebuilt from storage yet; it tries again", node, e);
      }
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
