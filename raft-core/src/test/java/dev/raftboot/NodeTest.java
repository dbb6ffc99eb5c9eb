package dev.raftboot;

import static dev.raftboot.RaftTestKit.bytes;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.storage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The thread-safe Node wrapper: operations complete (or fail with the state machine's error)
 * through futures, Readies flow through ready()/advance(), and stop() ends everything.
 */
class NodeTest {

  private final List<Node> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(Node::stop);
  }

  private Node track(Node n) {
    started.add(n);
    return n;
  }

  /**
   * Runs the application loop (persist, apply conf changes, collect applied payloads, advance)
   * until {@code done} holds; fails after a few seconds.
   */
  private static void loopUntil(Node n, MemoryStorage s, List<String> applied, BooleanSupplier done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
      Ready rd = n.pollReady(20, TimeUnit.MILLISECONDS);
      if (rd == null) {
        continue;
      }
      if (rd.hasHardState()) {
        s.setHardState(rd.hardState());
      }
      s.append(rd.entries());
      for (Entry e : rd.committedEntries()) {
        if (e.getType() == EntryType.EntryConfChange) {
          n.applyConfChange(ConfChange.parseFrom(e.getData()));
        } else if (!e.getData().isEmpty()) {
          applied.add(e.getData().toStringUtf8());
        }
      }
      n.advance();
    }
  }

  @Test
  void singleNodeElectsItselfAndCommitsProposals() throws Exception {
    MemoryStorage s = new MemoryStorage();
    Node n = track(Node.start(config(1, 10, 1, s), List.of(new Peer(1))));
    List<String> applied = new ArrayList<>();
    // The bootstrap configuration must be applied before the node may campaign.
    loopUntil(n, s, applied, () -> n.status().applied() == 1);
    n.campaign().get(10, TimeUnit.SECONDS);
    loopUntil(n, s, applied, () -> n.status().raftState() == StateType.LEADER);
    n.propose(bytes("foo")).get(10, TimeUnit.SECONDS);
    n.propose(bytes("bar")).get(10, TimeUnit.SECONDS);
    loopUntil(n, s, applied, () -> applied.size() == 2);
    assertThat(applied).containsExactly("foo", "bar");
    Status st = n.status();
    assertThat(st.lead()).isEqualTo(1);
    assertThat(st.applied()).isEqualTo(st.commit());
    assertThat(st.progress()).containsOnlyKeys(1L);
  }

  /** A refusal by the state machine completes the future exceptionally with its exception. */
  @Test
  void droppedProposalFailsTheFuture() throws Exception {
    TestStorage s = storage(1, 2);
    Node n = track(Node.restart(config(1, 10, 1, s)));
    assertThatThrownBy(() -> n.propose(bytes("x")).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ProposalDroppedException.class);
  }

  /** With forwarding disabled, a follower's Node refuses proposals the same way. */
  @Test
  void followerWithForwardingDisabledRefuses() throws Exception {
    TestStorage s = storage(1, 2);
    Node n = track(Node.restart(config(2, 10, 1, s).disableProposalForwarding(true)));
    n.step(msg(1, 2, MessageType.MsgHeartbeat, 1)).get(10, TimeUnit.SECONDS);
    assertThat(n.status().lead()).isEqualTo(1);
    assertThatThrownBy(() -> n.propose(bytes("x")).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProposalDroppedException.class);
  }

  /** Errors of step() (local message from a peer) come back through the future as well. */
  @Test
  void stepErrorsFailTheFuture() {
    Node n = track(Node.restart(config(1, 10, 1, storage(1, 2))));
    assertThatThrownBy(() -> n.step(msg(2, 1, MessageType.MsgHup, 0)).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(StepLocalMessageException.class);
  }

  /** After stop, calls fail with StoppedException and ready() reports it too. */
  @Test
  void stopEndsEverything() {
    Node n = Node.restart(config(1, 10, 1, storage(1)));
    n.stop();
    assertThatThrownBy(() -> n.propose(bytes("x")).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(StoppedException.class);
    assertThatThrownBy(n::ready).isInstanceOf(StoppedException.class);
    assertThatThrownBy(n::status).isInstanceOf(StoppedException.class);
    // Stopping twice is harmless.
    n.stop();
  }

  @Test
  void startNeedsPeers() {
    assertThatThrownBy(() -> Node.start(config(1, 10, 1, new MemoryStorage()), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
