package dev.raftboot.spring.runtime;

import dev.raftboot.raftpb.ConfState;
import dev.raftboot.spring.api.RaftLeaderChangedEvent;
import dev.raftboot.spring.api.RaftMembershipChangedEvent;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes a node's application events on a thread of its own, in order: a listener may make
 * replicated calls, which would deadlock on the apply thread that must apply them.
 */
final class RaftEvents {

  private static final Logger log = LoggerFactory.getLogger(RaftEvents.class);

  private final Object source;
  private final long nodeId;
  private final ApplicationEventPublisher publisher;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "raft-events");
            t.setDaemon(true);
            return t;
          });

  /** Events name {@code source} (the server) as their source; none are published if {@code publisher} is null. */
  RaftEvents(Object source, long nodeId, ApplicationEventPublisher publisher) {
    this.source = source;
    this.nodeId = nodeId;
    this.publisher = publisher;
  }

  void leaderChanged(long term, long leader) {
    publish(new RaftLeaderChangedEvent(source, nodeId, term, leader));
  }

  void membershipChanged(ConfState cs) {
    publish(new RaftMembershipChangedEvent(source, cs.getVotersList(), cs.getLearnersList()));
  }

  private void publish(Object event) {
    if (publisher == null) {
      return;
    }
    thread.execute(
        () -> {
          try {
            publisher.publishEvent(event);
          } catch (RuntimeException e) {
            log.warn("raft event listener failed", e);
          }
        });
  }
}
