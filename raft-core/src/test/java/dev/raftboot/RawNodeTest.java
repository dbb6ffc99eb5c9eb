package dev.raftboot;

import static dev.raftboot.RaftTestKit.bytes;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.entry;
import static dev.raftboot.RaftTestKit.handleAllReady;
import static dev.raftboot.RaftTestKit.handleReady;
import static dev.raftboot.RaftTestKit.hardState;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.payloads;
import static dev.raftboot.RaftTestKit.snapshot;
import static dev.raftboot.RaftTestKit.storage;
import static dev.raftboot.RaftTestKit.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeTransition;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.tracker.ProgressState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The RawNode API: bootstrapping and restarting from storage, the Ready/advance contract (what a
 * Ready holds, that it is handed out once, that nothing produced meanwhile is lost), asynchronous
 * storage writes, the apply quota (MaxCommittedSizePerReady), status, and the step guards.
 */
class RawNodeTest {

  /** A single-voter RawNode that has become leader and applied its empty entry. */
  private static RawNode singleLeader(TestStorage s, Config c) {
    RawNode rn = new RawNode(c);
    rn.campaign();
    handleAllReady(rn, s.mem);
    assertThat(rn.raft.state).isEqualTo(StateType.LEADER);
    return rn;
  }

  private static RawNode singleLeader() {
    TestStorage s = storage(1);
    return singleLeader(s, config(1, 10, 1, s));
  }

  // --- step guards ----------------------------------------------------------------------------

  /** Node-local message types are refused unless they come from a local storage thread. */
  @ParameterizedTest
  @EnumSource(
      value = MessageType.class,
      names = {
        "MsgHup", "MsgBeat", "MsgUnreachable", "MsgSnapStatus", "MsgCheckQuorum",
        "MsgStorageAppend", "MsgStorageAppendResp", "MsgStorageApply", "MsgStorageApplyResp"
      })
  void localMessagesFromPeersAreRefused(MessageType type) {
    RawNode rn = new RawNode(config(1, 10, 1, storage(1, 2)));
    assertThatThrownBy(() -> rn.step(msg(2, 1, type, 1)))
        .isInstanceOf(StepLocalMessageException.class);
    assertThat(rn.raft.term).isZero();
  }

  /** Responses from nodes the group does not know are refused; from members they are taken. */
  @Test
  void responsesFromUnknownPeersAreRefused() {
    RawNode rn = new RawNode(config(1, 10, 1, storage(1, 2)));
    assertThatThrownBy(() -> rn.step(msg(9, 1, MessageType.MsgAppResp, 1)))
        .isInstanceOf(StepPeerNotFoundException.class);
    assertThatThrownBy(() -> rn.step(msg(9, 1, MessageType.MsgHeartbeatResp, 1)))
        .isInstanceOf(StepPeerNotFoundException.class);
    rn.step(msg(2, 1, MessageType.MsgAppResp, 1));
    assertThat(rn.raft.term).isEqualTo(1);
    // Requests from unknown nodes are fine (a new member may not be known yet).
    rn.step(msg(9, 1, MessageType.MsgHeartbeat, 2));
    assertThat(rn.raft.lead).isEqualTo(9);
  }

  // --- bootstrap and restart --------------------------------------------------------------------

  /**
   * Bootstrapping writes one committed conf change per peer at term 1; the first Ready carries
   * them to be persisted and applied, with the hard state. The node can then elect itself.
   */
  @Test
  void bootstrapThenElectAndPropose() {
    MemoryStorage s = new MemoryStorage();
    RawNode rn = new RawNode(config(1, 10, 1, s));
    rn.bootstrap(List.of(new Peer(1)));
    assertThat(rn.hasReady()).isTrue();
    Ready rd = rn.ready();
    assertThat(rd.hardState()).isEqualTo(hardState(1, 0, 1));
    assertThat(rd.entries()).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo(EntryType.EntryConfChange);
      assertThat(e.getIndex()).isEqualTo(1);
      assertThat(e.getTerm()).isEqualTo(1);
    });
    assertThat(rd.committedEntries()).isEqualTo(rd.entries());
    assertThat(rd.mustSync()).isTrue();
    assertThat(rd.softState()).isNull();
    s.append(rd.entries());
    s.setHardState(rd.hardState());
    rn.applyConfChange(ConfChange.newBuilder()
        .setType(ConfChangeType.ConfChangeAddNode).setNodeId(1).build());
    rn.advance();
    assertThat(rn.hasReady()).isFalse();

    rn.campaign();
    handleAllReady(rn, s);
    assertThat(rn.raft.state).isEqualTo(StateType.LEADER);
    assertThat(rn.raft.term).isEqualTo(2);
    rn.propose(bytes("foo"));
    List<Ready> rds = handleAllReady(rn, s);
    assertThat(rds.stream().flatMap(r -> r.committedEntries().stream()).toList())
        .extracting(Entry::getIndex, e -> e.getData().toStringUtf8())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, "foo"));
    assertThat(s.lastIndex()).isEqualTo(3);
  }

  @Test
  void bootstrapPreconditions() {
    RawNode rn = new RawNode(config(1, 10, 1, new MemoryStorage()));
    assertThatThrownBy(() -> rn.bootstrap(List.of())).isInstanceOf(IllegalArgumentException.class);
    TestStorage ts = storage(1);
    ts.mem.append(List.of(entry(1, 1)));
    RawNode nonEmpty = new RawNode(config(1, 10, 1, ts));
    assertThatThrownBy(() -> nonEmpty.bootstrap(List.of(new Peer(1))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * On restart the node picks up its hard state and stable log: nothing to persist, and the
   * committed but unapplied entries are handed out once.
   */
  @Test
  void restartHandsOutUnappliedCommittedEntries() {
    TestStorage s = storage(1);
    s.mem.append(List.of(entry(1, 1), entry(2, 1, "foo")));
    s.withHardState(1, 0, 1);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    Ready rd = rn.ready();
    assertThat(rd.hasHardState()).isFalse();
    assertThat(rd.entries()).isEmpty();
    assertThat(rd.committedEntries()).containsExactly(entry(1, 1));
    assertThat(rd.mustSync()).isFalse();
    rn.advance();
    assertThat(rn.hasReady()).isFalse();
    assertThat(rn.raft.term).isEqualTo(1);
    assertThat(rn.raft.raftLog.committed).isEqualTo(1);
  }

  /** With Config.applied the entries the application already applied are not handed out again. */
  @Test
  void restartWithAppliedIndexSkipsAppliedEntries() {
    TestStorage s = storage(1);
    s.mem.append(List.of(entry(1, 1), entry(2, 1, "foo"), entry(3, 1, "bar")));
    s.withHardState(1, 0, 3);
    RawNode rn = new RawNode(config(1, 10, 1, s).applied(2));
    Ready rd = rn.ready();
    assertThat(rd.committedEntries()).containsExactly(entry(3, 1, "bar"));
    rn.advance();
    assertThat(rn.basicStatus().applied()).isEqualTo(3);
  }

  /** Restarting from a snapshot plus later entries: the entries after the snapshot are applied. */
  @Test
  void restartFromSnapshot() {
    TestStorage s = storage(1);
    s.mem.applySnapshot(snapshot(2, 1, voters(1, 2)));
    s.mem.append(List.of(entry(3, 1, "foo")));
    s.withHardState(1, 0, 3);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    assertThat(rn.raft.trk.voterNodes()).containsExactly(1, 2);
    Ready rd = rn.ready();
    assertThat(rd.hasSnapshot()).isFalse();
    assertThat(rd.committedEntries()).containsExactly(entry(3, 1, "foo"));
    rn.advance();
    assertThat(rn.hasReady()).isFalse();
  }

  // --- the Ready contract -----------------------------------------------------------------------

  /** A Ready is handed out once; without advance() a second one with new work is a misuse. */
  @Test
  void readyMustBeFollowedByAdvance() {
    TestStorage s = storage(1);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    rn.campaign();
    Ready rd = rn.ready();
    assertThat(rd.softState()).isEqualTo(new SoftState(0, StateType.CANDIDATE));
    assertThat(rd.hardState()).isEqualTo(hardState(1, 1, 0));
    assertThat(rd.mustSync()).isTrue();
    assertThatThrownBy(rn::ready).isInstanceOf(IllegalStateException.class);
  }

  /** hasReady tracks exactly whether ready() would carry anything. */
  @Test
  void hasReadyMatchesReadyContents() {
    RawNode rn = singleLeader();
    assertThat(rn.hasReady()).isFalse();
    assertThat(rn.ready().containsUpdates()).isFalse();
    rn.advance();
    rn.propose(bytes("x"));
    assertThat(rn.hasReady()).isTrue();
    Ready rd = rn.ready();
    assertThat(rd.containsUpdates()).isTrue();
    assertThat(rd.entries()).extracting(Entry::getIndex).containsExactly(2L);
  }

  /**
   * Soft state appears only when it changed; hard state likewise. MustSync is needed for entries
   * and for term or vote changes, not for a mere commit index change.
   */
  @Test
  void readyCarriesOnlyChangesAndSyncsWhenNeeded() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(2, 10, 1, s));
    rn.step(
        Message.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setType(MessageType.MsgApp)
            .setTerm(1)
            .addEntries(entry(1, 1))
            .addEntries(entry(2, 1))
            .build());
    Ready first = handleReady(rn, s.mem);
    assertThat(first.softState()).isEqualTo(new SoftState(1, StateType.FOLLOWER));
    assertThat(first.hardState()).isEqualTo(hardState(1, 0, 0));
    assertThat(first.entries()).hasSize(2);
    assertThat(first.mustSync()).isTrue();
    // A heartbeat advancing only the commit index.
    rn.step(msg(1, 2, MessageType.MsgHeartbeat, 1).toBuilder().setCommit(2).build());
    Ready second = handleReady(rn, s.mem);
    assertThat(second.softState()).isNull();
    assertThat(second.hardState()).isEqualTo(hardState(1, 0, 2));
    assertThat(second.entries()).isEmpty();
    assertThat(second.committedEntries()).hasSize(2);
    assertThat(second.mustSync()).isFalse();
    // A vote at a newer term must be synced before the response goes out.
    rn.step(
        Message.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setType(MessageType.MsgVote)
            .setTerm(2)
            .setLogTerm(1)
            .setIndex(2)
            .build());
    Ready third = handleReady(rn, s.mem);
    assertThat(third.hardState()).isEqualTo(hardState(2, 1, 2));
    assertThat(third.mustSync()).isTrue();
    assertThat(third.messages()).singleElement()
        .satisfies(m -> assertThat(m.getType()).isEqualTo(MessageType.MsgVoteResp));
    assertThat(RawNode.mustSync(hardState(1, 0, 2), hardState(1, 0, 1), 0)).isFalse();
    assertThat(RawNode.mustSync(hardState(1, 1, 1), hardState(1, 0, 1), 0)).isTrue();
    assertThat(RawNode.mustSync(hardState(2, 0, 1), hardState(1, 0, 1), 0)).isTrue();
    assertThat(RawNode.mustSync(hardState(1, 0, 1), hardState(1, 0, 1), 1)).isTrue();
  }

  /** Messages produced between ready() and advance() are not lost: they come in the next Ready. */
  @Test
  void messagesProducedDuringReadyAreNotLost() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(2, 10, 1, s));
    rn.step(msg(1, 2, MessageType.MsgHeartbeat, 1).toBuilder().setContext(bytes("a")).build());
    Ready rd = rn.ready();
    assertThat(rd.messages()).extracting(m -> m.getContext().toStringUtf8()).containsExactly("a");
    rn.step(msg(1, 2, MessageType.MsgHeartbeat, 1).toBuilder().setContext(bytes("b")).build());
    s.mem.setHardState(rd.hardState());
    rn.advance();
    assertThat(rn.hasReady()).isTrue();
    assertThat(rn.ready().messages())
        .extracting(m -> m.getContext().toStringUtf8())
        .containsExactly("b");
  }

  /** In the default mode a follower's acknowledgement goes out with the Ready of its entries. */
  @Test
  void appendAcknowledgementLeavesWithTheReady() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(2, 10, 1, s));
    rn.step(
        Message.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setType(MessageType.MsgApp)
            .setTerm(1)
            .addEntries(entry(1, 1))
            .build());
    Ready rd = rn.ready();
    assertThat(rd.entries()).hasSize(1);
    assertThat(rd.messages()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgAppResp);
      assertThat(m.getIndex()).isEqualTo(1);
    });
  }

  // --- asynchronous storage writes ---------------------------------------------------------------

  /**
   * Drives a single node in async mode: MsgStorageAppend is persisted and its responses stepped,
   * MsgStorageApply is applied (recorded) and its responses stepped. Returns the apply batches.
   */
  private static List<List<Entry>> runAsync(RawNode rn, MemoryStorage s, boolean stepApplies) {
    List<List<Entry>> applies = new ArrayList<>();
    for (int round = 0; round < 100 && rn.hasReady(); round++) {
      Ready rd = rn.ready();
      assertThat(rd.committedEntries()).allSatisfy(e -> assertThat(e.getIndex()).isLessThanOrEqualTo(s.lastIndex()));
      for (Message m : rd.messages()) {
        if (m.getType() == MessageType.MsgStorageAppend) {
          assertThat(m.getTo()).isEqualTo(RaftUtil.LOCAL_APPEND_THREAD);
          if (m.hasSnapshot()) {
            s.applySnapshot(m.getSnapshot());
          }
          s.append(m.getEntriesList());
          if (m.getTerm() != 0 || m.getVote() != 0 || m.getCommit() != 0) {
            s.setHardState(hardState(m.getTerm(), m.getVote(), m.getCommit()));
          }
          for (Message resp : m.getResponsesList()) {
            rn.step(resp);
          }
        } else if (m.getType() == MessageType.MsgStorageApply) {
          assertThat(m.getTo()).isEqualTo(RaftUtil.LOCAL_APPLY_THREAD);
          // Only durable entries are applied in async mode.
          for (Entry e : m.getEntriesList()) {
            assertThat(s.lastIndex()).isGreaterThanOrEqualTo(e.getIndex());
          }
          applies.add(m.getEntriesList());
          if (stepApplies) {
            for (Message resp : m.getResponsesList()) {
              rn.step(resp);
            }
          }
        }
      }
    }
    return applies;
  }

  /**
   * In async mode the Ready holds the storage work as messages to the local threads, with the
   * responses to step back once the work is done; entries are applied only once stable, and
   * advance() is not to be called.
   */
  @Test
  void asyncStorageWritesUseLocalMessages() {
    TestStorage s = storage(1);
    RawNode rn = new RawNode(config(1, 10, 1, s).asyncStorageWrites(true));
    rn.campaign();
    Ready rd = rn.ready();
    assertThat(rd.messages()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgStorageAppend);
      assertThat(m.getTerm()).isEqualTo(1);
      assertThat(m.getVote()).isEqualTo(1);
      assertThat(m.getResponsesList())
          .extracting(Message::getType)
          .containsExactly(MessageType.MsgVoteResp);
    });
    assertThatThrownBy(rn::advance).isInstanceOf(IllegalStateException.class);
    // The vote becomes durable: the node wins.
    rn.step(rd.messages().get(0).getResponses(0));
    assertThat(rn.raft.state).isEqualTo(StateType.LEADER);
    Ready leaderRd = rn.ready();
    Message append = leaderRd.messages().get(0);
    assertThat(append.getType()).isEqualTo(MessageType.MsgStorageAppend);
    assertThat(append.getEntriesList()).extracting(Entry::getIndex).containsExactly(1L);
    assertThat(append.getResponsesList())
        .extracting(Message::getType)
        .containsExactly(MessageType.MsgAppResp, MessageType.MsgStorageAppendResp);
    // Not committed until the write is acknowledged.
    assertThat(rn.raft.raftLog.committed).isZero();
    s.mem.append(append.getEntriesList());
    for (Message resp : append.getResponsesList()) {
      rn.step(resp);
    }
    assertThat(rn.raft.raftLog.committed).isEqualTo(1);
    rn.propose(bytes("foo"));
    List<List<Entry>> applies = runAsync(rn, s.mem, true);
    assertThat(applies.stream().flatMap(List::stream).map(Entry::getIndex).toList())
        .containsExactly(1L, 2L);
    assertThat(payloads(applies.get(applies.size() - 1))).containsExactly("foo");
    assertThat(rn.basicStatus().applied()).isEqualTo(2);
  }

  /**
   * An async follower's acknowledgement is not sent directly: it rides in the MsgStorageAppend as
   * a response, to be sent once the entries are durable.
   */
  @Test
  void asyncFollowerAcknowledgesOnlyAfterWrite() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(2, 10, 1, s).asyncStorageWrites(true));
    rn.step(
        Message.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setType(MessageType.MsgApp)
            .setTerm(1)
            .addEntries(entry(1, 1))
            .build());
    Ready rd = rn.ready();
    assertThat(rd.messages()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgStorageAppend);
      assertThat(m.getEntriesList()).containsExactly(entry(1, 1));
      assertThat(m.getResponsesList())
          .extracting(Message::getType, Message::getTo)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(MessageType.MsgAppResp, 1L),
              org.assertj.core.groups.Tuple.tuple(
                  MessageType.MsgStorageAppendResp, 2L));
    });
  }

  /**
   * A storage response from before a term change may not mark entries stable (they may have been
   * replaced since), but the snapshot it reports was written whatever the term: it is applied.
   */
  @Test
  void asyncSnapshotWriteFromOlderTermStillCounts() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(2, 10, 1, s).asyncStorageWrites(true));
    rn.step(
        msg(1, 2, MessageType.MsgSnap, 1).toBuilder().setSnapshot(snapshot(11, 1, voters(1, 2))).build());
    Message append = rn.ready().messages().get(0);
    assertThat(append.getType()).isEqualTo(MessageType.MsgStorageAppend);
    assertThat(append.getSnapshot().getMetadata().getIndex()).isEqualTo(11);
    Message storageResp = append.getResponsesList().get(append.getResponsesCount() - 1);
    assertThat(storageResp.getType()).isEqualTo(MessageType.MsgStorageAppendResp);
    assertThat(storageResp.getTerm()).isEqualTo(1);
    s.mem.applySnapshot(append.getSnapshot());
    // Meanwhile the node moves to term 2.
    rn.step(
        Message.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setType(MessageType.MsgVote)
            .setTerm(2)
            .setLogTerm(1)
            .setIndex(11)
            .build());
    assertThat(rn.raft.term).isEqualTo(2);
    assertThat(rn.raft.raftLog.hasNextOrInProgressSnapshot()).isTrue();
    rn.step(storageResp);
    assertThat(rn.raft.raftLog.hasNextOrInProgressSnapshot()).isFalse();
    assertThat(rn.basicStatus().applied()).isEqualTo(11);
  }

  // --- apply quota ------------------------------------------------------------------------------

  /** A restarted node with many committed entries hands them out in quota-sized pages, in order. */
  @Test
  void committedEntriesArePaginatedByQuota() {
    TestStorage s = storage(1);
    List<Entry> ents = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      ents.add(entry(i, 1, "x".repeat(10))); // 16 bytes each
    }
    s.mem.append(ents);
    s.withHardState(1, 0, 10);
    RawNode rn = new RawNode(config(1, 10, 1, s).maxSizePerMsg(32));
    List<Integer> pageSizes = new ArrayList<>();
    List<Long> seen = new ArrayList<>();
    for (Ready rd : handleAllReady(rn, s.mem)) {
      pageSizes.add(rd.committedEntries().size());
      rd.committedEntries().forEach(e -> seen.add(e.getIndex()));
    }
    assertThat(pageSizes).containsExactly(2, 2, 2, 2, 2);
    assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  /** An entry larger than the quota is still handed out, alone. */
  @Test
  void oversizedEntryIsHandedOutAlone() {
    TestStorage s = storage(1);
    s.mem.append(List.of(entry(1, 1, "x".repeat(50)), entry(2, 1, "y"), entry(3, 1, "z")));
    s.withHardState(1, 0, 3);
    RawNode rn = new RawNode(config(1, 10, 1, s).maxCommittedSizePerReady(20));
    List<Integer> pageSizes = new ArrayList<>();
    for (Ready rd : handleAllReady(rn, s.mem)) {
      pageSizes.add(rd.committedEntries().size());
    }
    assertThat(pageSizes).containsExactly(1, 2);
  }

  /**
   * The quota spans asynchronous apply messages too: while a full batch is being applied, no
   * further MsgStorageApply is issued, however much is committed.
   */
  @Test
  void applyQuotaSpansAsyncApplyMessages() {
    TestStorage s = storage(1);
    Config c = config(1, 10, 1, s).asyncStorageWrites(true).maxCommittedSizePerReady(32);
    RawNode rn = new RawNode(c);
    rn.campaign();
    runAsync(rn, s.mem, true);
    for (int i = 0; i < 6; i++) {
      rn.propose(bytes("x".repeat(10)));
    }
    List<List<Entry>> applies = runAsync(rn, s.mem, false);
    // The first batch holds what fits into 32 bytes; nothing else until it is applied.
    assertThat(applies).hasSize(1);
    assertThat(applies.get(0)).hasSize(2);
    assertThat(Entries.size(applies.get(0))).isLessThanOrEqualTo(32);
  }

  // --- status and reports -----------------------------------------------------------------------

  /** Only the leader reports its followers' progress. */
  @Test
  void statusHasProgressOnlyOnLeader() {
    TestStorage s = storage(1, 2, 3);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    Status follower = rn.status();
    assertThat(follower.progress()).isNull();
    assertThat(follower.raftState()).isEqualTo(StateType.FOLLOWER);
    assertThat(follower.config().voters().ids()).containsExactly(1L, 2L, 3L);
    rn.campaign();
    handleAllReady(rn, s.mem);
    rn.step(msg(2, 1, MessageType.MsgVoteResp, 1));
    Status leader = rn.status();
    assertThat(leader.raftState()).isEqualTo(StateType.LEADER);
    assertThat(leader.lead()).isEqualTo(1);
    assertThat(leader.term()).isEqualTo(1);
    assertThat(leader.id()).isEqualTo(1);
    assertThat(leader.progress()).containsOnlyKeys(1L, 2L, 3L);
    // A copy: changing it does not touch the node.
    leader.progress().get(2L).setMatch(99);
    assertThat(rn.raft.trk.progress().get(2L).match()).isZero();
  }

  /** An unreachable report sends a replicating follower back to probing. */
  @Test
  void reportUnreachableAndSnapshot() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    rn.campaign();
    handleAllReady(rn, s.mem);
    rn.step(msg(2, 1, MessageType.MsgVoteResp, 1));
    handleAllReady(rn, s.mem);
    rn.step(msg(2, 1, MessageType.MsgAppResp, 1).toBuilder().setIndex(1).build());
    assertThat(rn.raft.trk.progress().get(2L).state()).isEqualTo(ProgressState.REPLICATE);
    rn.reportUnreachable(2);
    assertThat(rn.raft.trk.progress().get(2L).state()).isEqualTo(ProgressState.PROBE);
    rn.raft.trk.progress().get(2L).becomeSnapshot(5);
    rn.reportSnapshot(2, SnapshotStatus.FAILURE);
    assertThat(rn.raft.trk.progress().get(2L).state()).isEqualTo(ProgressState.PROBE);
    assertThat(rn.raft.trk.progress().get(2L).pendingSnapshot()).isZero();
  }

  /** tickQuiesced advances the election clock only: a leader sends no heartbeats. */
  @Test
  void tickQuiescedSendsNothing() {
    TestStorage s = storage(1, 2);
    RawNode rn = new RawNode(config(1, 10, 1, s));
    rn.campaign();
    handleAllReady(rn, s.mem);
    rn.step(msg(2, 1, MessageType.MsgVoteResp, 1));
    handleAllReady(rn, s.mem);
    for (int i = 0; i < 5; i++) {
      rn.tickQuiesced();
    }
    assertThat(rn.hasReady()).isFalse();
    assertThat(rn.raft.electionElapsed).isEqualTo(5);
    rn.tick();
    assertThat(rn.ready().messages())
        .extracting(Message::getType)
        .containsExactly(MessageType.MsgHeartbeat);
  }

  // --- conf changes through RawNode ---------------------------------------------------------------

  /** A conf change proposed and applied through RawNode returns the resulting configuration. */
  @Test
  void proposeAndApplyConfChange() {
    TestStorage s = storage(1);
    RawNode rn = singleLeader(s, config(1, 10, 1, s));
    rn.proposeConfChange(
        ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddLearnerNode).setNodeId(2).build());
    Ready rd = rn.ready();
    s.mem.append(rd.entries());
    rn.advance();
    rd = rn.ready();
    assertThat(rd.committedEntries()).singleElement().satisfies(e ->
        assertThat(e.getType()).isEqualTo(EntryType.EntryConfChange));
    ConfState cs =
        rn.applyConfChange(
            ConfChange.newBuilder()
                .setType(ConfChangeType.ConfChangeAddLearnerNode)
                .setNodeId(2)
                .build());
    rn.advance();
    assertThat(cs.getVotersList()).containsExactly(1L);
    assertThat(cs.getLearnersList()).containsExactly(2L);
  }

  /**
   * Joint consensus through RawNode with the implicit transition: applying the change enters the
   * joint configuration and the node proposes, commits and applies the leave request by itself.
   */
  @Test
  void jointConfigurationIsLeftAutomatically() {
    TestStorage s = storage(1);
    RawNode rn = singleLeader(s, config(1, 10, 1, s));
    ConfChangeV2 cc =
        ConfChangeV2.newBuilder()
            .setTransition(ConfChangeTransition.ConfChangeTransitionJointImplicit)
            .addChanges(
                ConfChangeSingle.newBuilder()
                    .setType(ConfChangeType.ConfChangeAddLearnerNode)
                    .setNodeId(2))
            .build();
    rn.proposeConfChange(cc);
    List<ConfState> seen = new ArrayList<>();
    for (int i = 0; i < 20 && rn.hasReady(); i++) {
      Ready rd = rn.ready();
      s.mem.append(rd.entries());
      if (rd.hasHardState()) {
        s.mem.setHardState(rd.hardState());
      }
      for (Entry e : rd.committedEntries()) {
        ConfChangeV2 applied = Raft.decodeConfChange(e);
        if (applied != null) {
          seen.add(rn.applyConfChange(applied));
        }
      }
      rn.advance();
    }
    assertThat(seen).hasSize(2);
    ConfState joint = seen.get(0);
    assertThat(joint.getVotersList()).containsExactly(1L);
    assertThat(joint.getVotersOutgoingList()).containsExactly(1L);
    assertThat(joint.getLearnersList()).containsExactly(2L);
    assertThat(joint.getAutoLeave()).isTrue();
    ConfState left = seen.get(1);
    assertThat(left.getVotersOutgoingList()).isEmpty();
    assertThat(left.getLearnersList()).containsExactly(2L);
    assertThat(left.getAutoLeave()).isFalse();
    assertThat(rn.raft.trk.config().voters().isJoint()).isFalse();
  }

  /** Adding a member that already is one is harmless: applied, configuration unchanged. */
  @Test
  void proposingDuplicateAddIsHarmless() {
    TestStorage s = storage(1);
    RawNode rn = singleLeader(s, config(1, 10, 1, s));
    ConfChange addSelf =
        ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(1).build();
    for (int i = 0; i < 2; i++) {
      rn.proposeConfChange(addSelf);
      handleAllReady(rn, s.mem);
    }
    assertThat(rn.raft.trk.voterNodes()).containsExactly(1);
    List<Entry> log = s.mem.entries(1, s.mem.lastIndex() + 1, RaftUtil.NO_LIMIT);
    assertThat(log).extracting(Entry::getType)
        .containsExactly(EntryType.EntryNormal, EntryType.EntryConfChange, EntryType.EntryConfChange);
    assertThat(rn.basicStatus().applied()).isEqualTo(3);
    HardState hs = s.mem.initialState().hardState();
    assertThat(hs.getCommit()).isEqualTo(3);
  }
}
