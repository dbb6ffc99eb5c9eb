package dev.raftboot.spring.runtime;

import dev.raftboot.raftpb.Message;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JFR event at one hand-off on the path of a replicated command, for tracing where a put spends
 * its time (raft-bench's {@code PutTrace} reads them). Off unless a recording enables {@value
 * #NAME}; off, a hand-off costs a flag check (the event does not escape, so the JIT drops its
 * allocation). Each event carries {@link System#nanoTime()}, which on Linux is one clock for all
 * processes of a host, so that events of the three nodes of a local cluster can be ordered.
 */
@Name(StageEvent.NAME)
@Label("Raft stage")
@Category("raftboot")
@Description("A replicated command or its log entry passing a hand-off between threads or nodes")
@Enabled(false)
@StackTrace(false)
final class StageEvent extends Event {

  static final String NAME = "dev.raftboot.Stage";

  /** The hand-offs, by the name a recording shows. */
  enum Stage {
    /** A caller submitted a command (requestId). */
    SUBMIT("submit"),
    /** The raft loop took the command from its inbox (requestId). */
    PROPOSE("propose"),
    /** The raft loop took a Ready whose new entries end at index. */
    READY("ready"),
    /** The leader's Ready holds the command's entry (requestId, index). */
    ENTRY("entry"),
    /** A message to peer was handed to the transport (index: last entry, or the ack's index). */
    SEND("send"),
    /** A message from peer reached this node's transport endpoint. */
    RECEIVE("receive"),
    /** The raft loop stepped a message from peer. */
    STEP("step"),
    /** The persist stage starts a write whose entries end at index (0: none). */
    PERSIST_START("persist-start"),
    /** The persist stage finished that write (synced when it had to be). */
    PERSIST_END("persist-end"),
    /** The raft loop stepped this node's own responses of a durable write up to index. */
    PERSISTED("persisted"),
    /** The raft loop handed committed entries up to index to the apply loop. */
    COMMIT("commit"),
    /** The apply loop applied the command (requestId) and settles its caller. */
    APPLIED("applied"),
    /** The caller's future completed, with whatever it runs synchronously (requestId). */
    COMPLETED("completed");

    final String label;

    Stage(String label) {
      this.label = label;
    }
  }

  @Label("Stage")
  String stage;

  @Label("Node")
  long node;

  @Label("Peer")
  long peer;

  @Label("Message type")
  String message;

  @Label("Index")
  long index;

  @Label("Request id")
  long requestId;

  @Label("Nano time")
  @Description("System.nanoTime() when the event happened")
  long nanoTime;

  static void emit(Stage stage, long node, long index, long requestId) {
    StageEvent e = new StageEvent();
    if (e.isEnabled()) {
      e.nanoTime = System.nanoTime();
      e.stage = stage.label;
      e.node = node;
      e.index = index;
      e.requestId = requestId;
      e.commit();
    }
  }

  /** A message event: the peer is {@code m}'s other end as seen from {@code node}. */
  static void message(Stage stage, long node, Message m) {
    StageEvent e = new StageEvent();
    if (e.isEnabled()) {
      e.nanoTime = System.nanoTime();
      e.stage = stage.label;
      e.node = node;
      e.peer = m.getTo() == node ? m.getFrom() : m.getTo();
      e.message = m.getType().name();
      e.index =
          m.getEntriesCount() > 0 ? m.getEntries(m.getEntriesCount() - 1).getIndex() : m.getIndex();
      e.commit();
    }
  }

  static boolean tracing() {
    return new StageEvent().isEnabled();
  }
}
