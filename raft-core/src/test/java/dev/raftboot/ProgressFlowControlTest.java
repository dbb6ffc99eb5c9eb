package dev.raftboot;

import static dev.raftboot.RaftTestKit.appResp;
import static dev.raftboot.RaftTestKit.config;
import static dev.raftboot.RaftTestKit.electAndCommitNoop;
import static dev.raftboot.RaftTestKit.ids;
import static dev.raftboot.RaftTestKit.msg;
import static dev.raftboot.RaftTestKit.newRaft;
import static dev.raftboot.RaftTestKit.prop;
import static dev.raftboot.RaftTestKit.readMessages;
import static dev.raftboot.RaftTestKit.storage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.raftboot.RaftTestKit.TestStorage;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.tracker.Progress;
import dev.raftboot.tracker.ProgressState;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How the leader paces replication to each follower: the probe, replicate and snapshot states of
 * its progress, the inflight window (message count and bytes), pausing and the ways a paused
 * follower is resumed, and the reaction to rejections, stale responses and unreachable peers.
 */
class ProgressFlowControlTest {

  /** A leader of {@code 1..n} (term 1) whose followers replicate, after {@code tweak}. */
  private static Raft replicatingLeader(int n, Consumer<dev.raftboot.Config> tweak) {
    TestStorage s = storage(ids(n));
    // An unlimited apply quota, so that tests limiting MaxSizePerMsg (to which the quota
    // defaults) still see every committed entry applied.
    dev.raftboot.Config c = config(1, 10, 1, s).maxCommittedSizePerReady(RaftUtil.NO_LIMIT);
    tweak.accept(c);
    return electAndCommitNoop(new Raft(c));
  }

  /** A fresh leader of {@code 1..n} (term 1) whose followers are still being probed. */
  private static Raft probingLeader(int n) {
    Raft r = newRaft(1, n);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    return r;
  }

  private static Progress pr(Raft r, long id) {
    return r.trk.progress().get(id);
  }

  private static List<Message> appsTo(List<Message> msgs, long to) {
    return msgs.stream().filter(m -> m.getType() == MessageType.MsgApp && m.getTo() == to).toList();
  }

  private static Message payload(int size) {
    return prop(1, "x".repeat(size));
  }

  // --- the leader's own progress -------------------------------------------------------------

  /** The leader tracks itself like any follower: match is its durable last index. */
  @Test
  void leaderProgressFollowsItsOwnLog() {
    Raft r = probingLeader(2);
    assertThat(pr(r, 1).state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(pr(r, 1).match()).isEqualTo(1);
    assertThat(pr(r, 1).next()).isEqualTo(2);
    for (int i = 0; i < 5; i++) {
      r.step(prop(1, "foo"));
      readMessages(r);
    }
    assertThat(pr(r, 1).match()).isEqualTo(6);
    assertThat(pr(r, 1).next()).isEqualTo(7);
  }

  // --- probe state -----------------------------------------------------------------------------

  /**
   * While probing, one append is outstanding at a time: however many proposals arrive, a probing
   * follower gets a single MsgApp until it answers.
   */
  @Test
  void probingFollowerGetsOneAppendUntilItAnswers() {
    Raft r = probingLeader(3);
    r.step(prop(1, "a"));
    r.step(prop(1, "b"));
    r.step(prop(1, "c"));
    List<Message> msgs = readMessages(r);
    assertThat(msgs).extracting(Message::getTo, Message::getType)
        .containsExactly(tuple(2L, MessageType.MsgApp), tuple(3L, MessageType.MsgApp));
    assertThat(msgs.get(0).getEntriesCount()).isEqualTo(2); // the empty entry and "a"
    assertThat(pr(r, 2).msgAppFlowPaused()).isTrue();
    assertThat(pr(r, 2).isPaused()).isTrue();
    assertThat(pr(r, 2).next()).isEqualTo(1); // probing does not move next optimistically
  }

  /**
   * A heartbeat response proves the follower is alive, so a paused probe is retried at once, with
   * everything from next on; the probe is paused again afterwards.
   */
  @Test
  void heartbeatResponseResumesPausedProbe() {
    Raft r = probingLeader(3);
    r.step(prop(1, "a"));
    readMessages(r);
    r.step(prop(1, "b"));
    assertThat(readMessages(r)).isEmpty();
    r.step(msg(2, 1, MessageType.MsgHeartbeatResp, 1));
    List<Message> msgs = readMessages(r);
    assertThat(msgs).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MsgApp);
      assertThat(m.getTo()).isEqualTo(2);
      assertThat(m.getIndex()).isZero();
      assertThat(m.getEntriesCount()).isEqualTo(3);
    });
    assertThat(pr(r, 2).msgAppFlowPaused()).isTrue();
    assertThat(pr(r, 2).recentActive()).isTrue();
    // The other follower is still paused.
    assertThat(pr(r, 3).msgAppFlowPaused()).isTrue();
  }

  /** Heartbeats are sent even to a paused follower: they carry no entries. */
  @Test
  void pausedFollowerStillGetsHeartbeats() {
    Raft r = probingLeader(2);
    r.step(prop(1, "a"));
    readMessages(r);
    r.step(msg(1, 1, MessageType.MsgBeat));
    assertThat(readMessages(r)).extracting(Message::getType, Message::getTo)
        .containsExactly(tuple(MessageType.MsgHeartbeat, 2L));
  }

  /**
   * The first successful answer to a probe switches the follower to replicate state, after which
   * every proposal is sent at once.
   */
  @Test
  void firstAcceptedProbeSwitchesToReplicate() {
    Raft r = probingLeader(2);
    r.step(prop(1, "a"));
    readMessages(r);
    r.step(appResp(2, 1, 1, 2));
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(pr(r, 2).match()).isEqualTo(2);
    assertThat(r.raftLog.committed).isEqualTo(2);
    readMessages(r);
    r.step(prop(1, "b"));
    r.step(prop(1, "c"));
    List<Message> apps = appsTo(readMessages(r), 2);
    assertThat(apps).extracting(Message::getIndex, Message::getEntriesCount)
        .containsExactly(tuple(2L, 1), tuple(3L, 1));
  }

  /**
   * In replicate state the leader raises next optimistically as it sends; in probe state next stays
   * put until the follower answers.
   */
  @ParameterizedTest(name = "{0}: next {1} -> {2}")
  @CsvSource({"REPLICATE, 2, 5", "PROBE, 2, 2"})
  void nextAdvancesOptimisticallyOnlyWhenReplicating(
      ProgressState state, long nextBefore, long nextAfter) {
    Raft r = replicatingLeader(2, c -> {});
    if (state == ProgressState.PROBE) {
      pr(r, 2).becomeProbe();
    }
    assertThat(pr(r, 2).next()).isEqualTo(nextBefore);
    for (int i = 0; i < 3; i++) {
      r.step(prop(1, "x"));
    }
    readMessages(r);
    assertThat(pr(r, 2).next()).isEqualTo(nextAfter);
  }

  // --- responses -------------------------------------------------------------------------------

  /**
   * The leader's reaction to append responses from a probed follower (leader log 1/1 2/1 3/2, the
   * follower probed at index 2): stale rejections change nothing; a rejection of the probe moves
   * next back towards the hint and probes again; an acceptance switches to replicate, sends what
   * the follower still lacks and, if a quorum now has an entry of this term, commits and tells
   * everyone.
   */
  @ParameterizedTest(name = "resp index {0} reject={1} hint ({2},{3}) -> match {4} next {5}, {6} msgs, commit {7}")
  @CsvSource({
    "3, true, 0, 0, 0, 3, 0, 0",
    "2, true, 1, 1, 0, 2, 1, 0",
    "2, true, 0, 0, 0, 1, 1, 0",
    "2, false, 0, 0, 2, 4, 1, 0",
    "3, false, 0, 0, 3, 4, 2, 3",
  })
  void leaderReactsToAppendResponses(
      long index,
      boolean reject,
      long hint,
      long hintTerm,
      long wantMatch,
      long wantNext,
      int wantMsgs,
      long wantCommit) {
    TestStorage s = storage(1, 2, 3).withTerms(1, 1).withHardState(1, 0, 0);
    Raft r = newRaft(1, 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    assertThat(pr(r, 2).next()).isEqualTo(3);
    r.step(
        Message.newBuilder()
            .setFrom(2)
            .setTo(1)
            .setType(MessageType.MsgAppResp)
            .setTerm(2)
            .setIndex(index)
            .setReject(reject)
            .setRejectHint(hint)
            .setLogTerm(hintTerm)
            .build());
    List<Message> msgs = readMessages(r);
    assertThat(pr(r, 2).match()).isEqualTo(wantMatch);
    assertThat(pr(r, 2).next()).isEqualTo(wantNext);
    assertThat(msgs).hasSize(wantMsgs);
    assertThat(r.raftLog.committed).isEqualTo(wantCommit);
    if (wantMsgs > 0) {
      Message first = msgs.get(0);
      assertThat(first.getTo()).isEqualTo(2);
      assertThat(first.getType()).isEqualTo(MessageType.MsgApp);
    }
  }

  /**
   * Responses that arrive late or out of order must not undo progress: once match is 3, an
   * acknowledgement of 2 or a rejection of 2 is ignored while replicating.
   */
  @ParameterizedTest(name = "stale resp index {0} reject={1}")
  @CsvSource({"2, false", "2, true", "3, false", "1, true"})
  void staleResponsesAreIgnoredWhileReplicating(long index, boolean reject) {
    Raft r = replicatingLeader(2, c -> {});
    r.step(prop(1, "a"));
    r.step(prop(1, "b"));
    readMessages(r);
    r.step(appResp(2, 1, 1, 3));
    readMessages(r);
    Progress before = pr(r, 2).copy();
    assertThat(before.match()).isEqualTo(3);
    r.step(appResp(2, 1, 1, index).toBuilder().setReject(reject).setRejectHint(index - 1).build());
    assertThat(readMessages(r)).isEmpty();
    assertThat(pr(r, 2).match()).isEqualTo(3);
    assertThat(pr(r, 2).next()).isEqualTo(before.next());
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.REPLICATE);
  }

  /**
   * A rejection while replicating means an optimistic append did not fit: the leader falls back to
   * probing right after match.
   */
  @Test
  void rejectionWhileReplicatingFallsBackToProbe() {
    Raft r = replicatingLeader(2, c -> {});
    r.step(prop(1, "a"));
    r.step(prop(1, "b"));
    readMessages(r);
    assertThat(pr(r, 2).next()).isEqualTo(4);
    r.step(appResp(2, 1, 1, 2).toBuilder().setReject(true).setRejectHint(1).setLogTerm(1).build());
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr(r, 2).next()).isEqualTo(2);
    assertThat(appsTo(readMessages(r), 2)).singleElement().satisfies(m -> {
      assertThat(m.getIndex()).isEqualTo(1);
      assertThat(m.getEntriesCount()).isEqualTo(2);
    });
  }

  /**
   * With a divergent follower, a single rejection is enough to find where the logs may agree: the
   * follower hints its last entry whose term is not newer than the probed one, and the leader skips
   * back to its own last entry of at most that term.
   */
  @ParameterizedTest(name = "leader {0}, follower {1} -> reprobe at ({2},{3})")
  @CsvSource({
    "'1 2 2 4 4 4 4', '1 2 2 3 3 3 3 3 3', 3, 2",
    "'1 1 1 1 1', '1 1', 2, 1",
    "'1 1 1 5 5 5 5', '1 1 1 2 2 2 2 2 2 2', 3, 1",
    "'1 2 2 5 5', '1 2 2 4 4 4', 3, 2",
    "'2 2 2 2', '1 1 1 1 1 1', 0, 0",
  })
  void divergentFollowerIsFoundInOneRejection(
      String leaderTerms, String followerTerms, long reprobeIndex, long reprobeTerm) {
    long[] lt = parse(leaderTerms);
    long[] ft = parse(followerTerms);
    long top = 10;
    Raft leader = newRaft(1, 10, 1, storage(1, 2).withTerms(lt).withHardState(top, 0, 0));
    Raft follower = newRaft(2, 10, 1, storage(1, 2).withTerms(ft).withHardState(top, 0, 0));
    leader.becomeCandidate();
    leader.becomeLeader();
    readMessages(leader);
    follower.becomeFollower(leader.term, 1);
    leader.sendAppend(2);
    Message probe = readMessages(leader).get(0);
    assertThat(probe.getIndex()).isEqualTo(lt.length);
    follower.step(probe);
    Message rejection = readMessages(follower).get(0);
    assertThat(rejection.getReject()).isTrue();
    leader.step(rejection);
    Message reprobe = readMessages(leader).get(0);
    assertThat(reprobe.getIndex()).isEqualTo(reprobeIndex);
    assertThat(reprobe.getLogTerm()).isEqualTo(reprobeTerm);
    follower.step(reprobe);
    Message answer = readMessages(follower).get(0);
    assertThat(answer.getReject()).isFalse();
    assertThat(answer.getIndex()).isEqualTo(lt.length + 1);
  }

  private static long[] parse(String terms) {
    return java.util.Arrays.stream(terms.split(" ")).mapToLong(Long::parseLong).toArray();
  }

  // --- snapshot state and unreachable peers ----------------------------------------------------

  /** While a snapshot is in flight nothing else is appended to that follower. */
  @Test
  void snapshotStateSendsNoAppends() {
    Raft r = replicatingLeader(2, c -> {});
    pr(r, 2).becomeSnapshot(10);
    for (int i = 0; i < 3; i++) {
      r.step(prop(1, "x"));
    }
    assertThat(readMessages(r)).isEmpty();
    r.step(msg(2, 1, MessageType.MsgHeartbeatResp, 1));
    assertThat(readMessages(r)).isEmpty();
    assertThat(pr(r, 2).isPaused()).isTrue();
    assertThat(pr(r, 2).next()).isEqualTo(11);
  }

  /**
   * An unreachable report means optimistic appends were probably lost: a replicating follower goes
   * back to probing from just after match.
   */
  @Test
  void unreachableFollowerIsProbedAgain() {
    Raft r = replicatingLeader(2, c -> {});
    r.step(prop(1, "a"));
    r.step(prop(1, "b"));
    readMessages(r);
    assertThat(pr(r, 2).next()).isEqualTo(4);
    r.step(msg(2, 1, MessageType.MsgUnreachable));
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr(r, 2).match()).isEqualTo(1);
    assertThat(pr(r, 2).next()).isEqualTo(2);
    assertThat(pr(r, 2).isPaused()).isFalse();
    assertThat(readMessages(r)).isEmpty();
  }

  /** An unreachable report about a follower already being probed changes nothing. */
  @Test
  void unreachableWhileProbingChangesNothing() {
    Raft r = probingLeader(2);
    r.step(prop(1, "a"));
    readMessages(r);
    r.step(msg(2, 1, MessageType.MsgUnreachable));
    assertThat(pr(r, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr(r, 2).isPaused()).isTrue();
    assertThat(pr(r, 2).next()).isEqualTo(1);
  }

  // --- inflight limits -------------------------------------------------------------------------

  /**
   * MaxInflightMsgs bounds the appends in flight to a replicating follower: with a window of 3,
   * only 3 of 5 single-entry appends go out, and the follower is paused.
   */
  @Test
  void inflightWindowLimitsOutstandingAppends() {
    Raft r = replicatingLeader(2, c -> c.maxInflightMsgs(3).maxSizePerMsg(0));
    for (int i = 0; i < 5; i++) {
      r.step(prop(1, "x"));
    }
    List<Message> apps = appsTo(readMessages(r), 2);
    assertThat(apps).extracting(Message::getIndex).containsExactly(1L, 2L, 3L);
    assertThat(apps).allSatisfy(m -> assertThat(m.getEntriesCount()).isEqualTo(1));
    assertThat(pr(r, 2).inflights().full()).isTrue();
    assertThat(pr(r, 2).isPaused()).isTrue();
    assertThat(pr(r, 2).next()).isEqualTo(5);
  }

  /**
   * Acknowledgements slide the window: acknowledging the first append frees one slot, which is used
   * at once; acknowledging the last sent frees them all.
   */
  @Test
  void acknowledgementsSlideTheInflightWindow() {
    Raft r = replicatingLeader(2, c -> c.maxInflightMsgs(3).maxSizePerMsg(0));
    for (int i = 0; i < 5; i++) {
      r.step(prop(1, "x"));
    }
    readMessages(r);
    r.step(appResp(2, 1, 1, 2));
    List<Message> apps = appsTo(readMessages(r), 2);
    // One freed slot, used at once for the next single entry (which also carries the new commit).
    assertThat(apps).extracting(Message::getIndex, Message::getEntriesCount)
        .containsExactly(tuple(4L, 1));
    assertThat(pr(r, 2).inflights().count()).isEqualTo(3);
    assertThat(pr(r, 2).inflights().full()).isTrue();
    r.step(appResp(2, 1, 1, 5));
    List<Message> rest = appsTo(readMessages(r), 2);
    assertThat(rest).extracting(Message::getIndex, Message::getEntriesCount)
        .contains(tuple(5L, 1));
    r.step(appResp(2, 1, 1, 6));
    readMessages(r);
    assertThat(pr(r, 2).inflights().count()).isZero();
    assertThat(pr(r, 2).isPaused()).isFalse();
  }

  /**
   * A heartbeat response to a follower with a full window yields one empty append: if all the
   * full appends were lost, its answer is what frees the window. The window stays full.
   */
  @Test
  void heartbeatResponseWithFullWindowSendsEmptyAppend() {
    Raft r = replicatingLeader(2, c -> c.maxInflightMsgs(2).maxSizePerMsg(0));
    for (int i = 0; i < 4; i++) {
      r.step(prop(1, "x"));
    }
    readMessages(r);
    assertThat(pr(r, 2).inflights().full()).isTrue();
    for (int round = 0; round < 3; round++) {
      r.step(msg(2, 1, MessageType.MsgHeartbeatResp, 1));
      List<Message> apps = appsTo(readMessages(r), 2);
      assertThat(apps).singleElement().satisfies(m -> {
        assertThat(m.getEntriesCount()).isZero();
        assertThat(m.getIndex()).isEqualTo(3);
      });
      assertThat(pr(r, 2).inflights().full()).isTrue();
      assertThat(pr(r, 2).isPaused()).isTrue();
    }
  }

  /**
   * MaxInflightBytes bounds the payload in flight: with 10-byte payloads and a 30-byte budget, three
   * appends fill the window; acknowledging one lets exactly one more out.
   */
  @Test
  void inflightBytesLimitOutstandingPayload() {
    Raft r =
        replicatingLeader(2, c -> c.maxInflightMsgs(100).maxSizePerMsg(0).maxInflightBytes(30));
    for (int i = 0; i < 6; i++) {
      r.step(payload(10));
    }
    List<Message> apps = appsTo(readMessages(r), 2);
    assertThat(apps).hasSize(3);
    assertThat(pr(r, 2).inflights().full()).isTrue();
    assertThat(pr(r, 2).inflights().count()).isEqualTo(3);
    r.step(appResp(2, 1, 1, 2));
    List<Message> more = appsTo(readMessages(r), 2);
    assertThat(more.stream().filter(m -> m.getEntriesCount() > 0).toList())
        .singleElement()
        .satisfies(m -> assertThat(m.getEntriesList()).extracting(Entry::getIndex).containsExactly(5L));
    assertThat(pr(r, 2).inflights().full()).isTrue();
  }

  /** MaxSizePerMsg caps the entries of one append by encoded size (at least one entry). */
  @Test
  void maxSizePerMsgSplitsAppends() {
    // Each entry of a 10-byte payload encodes to 16 bytes (data 12, term 2, index 2).
    Raft r = replicatingLeader(2, c -> c.maxSizePerMsg(40).maxInflightMsgs(100));
    pr(r, 2).becomeProbe();
    for (int i = 0; i < 5; i++) {
      r.step(payload(10));
    }
    readMessages(r);
    // Let the follower answer the (paused) probe with what it has, then the rest flows in pieces.
    pr(r, 2).setMsgAppFlowPaused(false);
    r.sendAppend(2);
    assertThat(appsTo(readMessages(r), 2)).singleElement()
        .satisfies(m -> assertThat(m.getEntriesCount()).isEqualTo(2));
    assertThat(Entries.size(List.of(RaftTestKit.entry(2, 1, "x".repeat(10))))).isEqualTo(16);
  }
}
