package dev.raftboot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's usage end to end: three {@link Node}s on their own threads, wired by in-memory
 * delivery, each running the Ready loop (persist, send, apply, advance) against a {@link
 * MemoryStorage}.
 */
class NodeClusterTest {

  private final Map<Long, Member> members = new ConcurrentHashMap<>();

  /** One node, its storage and its applied state machine (the applied payloads, in order). */
  private final class Member {
    final long id;
    final MemoryStorage storage;
    final List<String> applied;
    volatile long appliedIndex;
    final Node node;
    final Thread loop;
    volatile boolean running = true;

    Member(long id, MemoryStorage storage, List<String> applied, long appliedIndex, boolean fresh) {
      this.id = id;
      this.storage = storage;
      this.applied = applied;
      this.appliedIndex = appliedIndex;
      Config c =
          new Config()
              .id(id)
              .electionTick(10)
              .heartbeatTick(1)
              .storage(storage)
              .applied(appliedIndex)
              .maxSizePerMsg(1024 * 1024)
              .maxInflightMsgs(256)
              .preVote(true)
              .checkQuorum(true)
              .random(new SplittableRandom(id));
      node = fresh ? Node.start(c, List.of(new Peer(1), new Peer(2), new Peer(3))) : Node.restart(c);
      loop = new Thread(this::readyLoop, "ready-loop-" + id);
      loop.start();
    }

    private void readyLoop() {
      long nextTick = System.nanoTime();
      try {
        while (running) {
          if (System.nanoTime() >= nextTick) {
            node.tick();
            nextTick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
          }
          Ready rd = node.pollReady(2, TimeUnit.MILLISECONDS);
          if (rd == null) {
            continue;
          }
          // 1. persist
          if (rd.hasHardState()) {
            storage.setHardState(rd.hardState());
          }
          if (rd.hasSnapshot()) {
            storage.applySnapshot(rd.snapshot());
          }
          storage.append(rd.entries());
          // 2. send
          for (Message m : rd.messages()) {
            Member to = members.get(m.getTo());
            if (to != null && to.running) {
              to.node.step(m);
            }
          }
          // 3. apply
          for (Entry e : rd.committedEntries()) {
            if (e.getType() == EntryType.EntryConfChange) {
              node.applyConfChange(ConfChange.parseFrom(e.getData()));
            } else if (e.getType() == EntryType.EntryConfChangeV2) {
              node.applyConfChange(ConfChangeV2.parseFrom(e.getData()));
            } else if (!e.getData().isEmpty()) {
              applied.add(e.getData().toStringUtf8());
            }
            appliedIndex = e.getIndex();
          }
          // 4. advance
          node.advance();
        }
      } catch (StoppedException | InterruptedException e) {
        // shutting down
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    void stop() throws InterruptedException {
      running = false;
      loop.join();
      node.stop();
    }
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Member m : members.values()) {
      m.stop();
    }
  }

  @Test
  void threeNodesApplyTheSameSequenceAndARestartedNodeCatchesUp() throws Exception {
    for (long id = 1; id <= 3; id++) {
      members.put(
          id, new Member(id, new MemoryStorage(), Collections.synchronizedList(new ArrayList<>()), 0, true));
    }
    proposeAll(0, 1000);
    awaitApplied(1000, members.keySet().stream().toList());
    List<String> reference = new ArrayList<>(members.get(1L).applied);
    assertThat(reference).hasSize(1000);
    for (Member m : members.values()) {
      assertThat(m.applied).isEqualTo(reference);
    }

    // Stop one node; the other two keep committing.
    Member three = members.get(3L);
    three.stop();
    members.remove(3L);
    proposeAll(1000, 1200);
    awaitApplied(1200, List.of(1L, 2L));

    // Restart it from its storage, with its state machine as it was; it must catch up.
    members.put(
        3L, new Member(3, three.storage, three.applied, three.appliedIndex, false));
    awaitApplied(1200, List.of(1L, 2L, 3L));
    for (Member m : members.values()) {
      assertThat(m.applied).as("node %d", m.id).isEqualTo(members.get(1L).applied);
    }
    for (int i = 0; i < 1200; i++) {
      assertThat(members.get(1L).applied.get(i)).isEqualTo("v" + i);
    }
  }

  private void proposeAll(int from, int to) throws Exception {
    int next = from;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (next < to) {
      assertThat(System.nanoTime()).as("proposals accepted in time").isLessThan(deadline);
      Member leader = leader();
      if (leader == null) {
        Thread.sleep(5);
        continue;
      }
      try {
        leader.node.propose(ByteString.copyFromUtf8("v" + next)).get(1, TimeUnit.SECONDS);
        next++;
      } catch (Exception e) {
        Thread.sleep(5);
      }
    }
  }

  private Member leader() {
    for (Member m : members.values()) {
      if (m.running && m.node.status().raftState() == StateType.LEADER) {
        return m;
      }
    }
    return null;
  }

  private void awaitApplied(int count, List<Long> ids) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (long id : ids) {
      while (members.get(id).applied.size() < count) {
        assertThat(System.nanoTime()).as("node %d applies %d entries", id, count).isLessThan(deadline);
        Thread.sleep(5);
      }
    }
  }
}
