package dev.raftboot;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.confchange.Changer;
import dev.raftboot.confchange.ConfChanges;
import dev.raftboot.confchange.Restore;
import dev.raftboot.quorum.VoteResult;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.tracker.Progress;
import dev.raftboot.tracker.ProgressMap;
import dev.raftboot.tracker.ProgressState;
import dev.raftboot.tracker.ProgressTracker;
import dev.raftboot.tracker.TrackerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The Raft state machine of one node: terms, votes, roles, replication, commitment, snapshots,
 * membership and leadership transfer. Single-threaded and free of I/O, clocks and threads; output
 * accumulates in {@link #msgs} and {@link #msgsAfterAppend} and in the log, and {@link RawNode}
 * turns it into {@link Ready}s.
 *
 * <p>Every input goes through {@link #step}: after the term checks, messages that every role
 * handles alike are handled there, and the rest goes to the step function of the current role
 * ({@code stepLeader}, {@code stepCandidate}, {@code stepFollower}). Ticks become local messages
 * ({@code MsgHup}, {@code MsgBeat}, {@code MsgCheckQuorum}) and go the same way.
 *
 * <p>The safety properties of the paper (figure 3) are what the comments below refer to:
 *
 * <ul>
 *   <li>Election Safety: at most one leader per term. A node votes at most once per term, and its
 *       vote is durable before it is counted.
 *   <li>Leader Append-Only: a leader only appends to its log, at {@code lastIndex + 1}.
 *   <li>Log Matching: two logs with an entry of the same index and term are identical up to it.
 *       Appends carry the (index, term) of the entry before them and are refused on a mismatch.
 *   <li>Leader Completeness: a committed entry is in the log of every later leader. Votes go only
 *       to candidates whose log is at least as up to date, and a leader commits by counting only
 *       entries of its own term.
 *   <li>State Machine Safety: no two nodes apply different entries at one index. Committed entries
 *       are never truncated; {@code RaftLog} panics rather than do it.
 * </ul>
 *
 * <p>Durability is expressed through two outboxes: messages that promise nothing about local state
 * go out at once, while acknowledgements and votes, which promise that entries or a vote are on
 * disk, wait until the Ready they belong to has been persisted.
 */
final class Raft {

  /** Why an election is started; a transfer campaign bypasses the leader lease of CheckQuorum. */
  enum CampaignType {
    PRE_ELECTION,
    ELECTION,
    TRANSFER;

    static final ByteString TRANSFER_CONTEXT = ByteString.copyFromUtf8("CampaignTransfer");
  }

  /** Marks a MsgReadIndex whose sender asked for a lease-based read for that request only. */
  static final ByteString LEASE_READ_CONTEXT = ByteString.copyFromUtf8("raftboot-lease-read");

  final long id;
  /** The current term (currentTerm); it only grows. Votes and acks wait until it is durable. */
  long term;
  /**
   * Whom this node voted for in {@link #term} (votedFor), or 0. Persisted with the term before any
   * vote response leaves, and reset only when the term changes: one vote per term.
   */
  long vote;
  /** Answers to ReadIndex requests, handed out with the next Ready. */
  List<ReadState> readStates = new ArrayList<>();
  final RaftLog raftLog;
  final long maxMsgSize;
  final long maxUncommittedSize;
  /** The membership in force (changed only by applied conf changes) and, on a leader, progress. */
  ProgressTracker trk;
  StateType state;
  /** Whether the configuration in force makes this node a learner: it never campaigns then. */
  boolean isLearner;
  /** Messages to send now. */
  List<Message> msgs = new ArrayList<>();
  /**
   * Messages that may only be sent once the entries and state of the current Ready are durable:
   * append acknowledgements and votes (thesis 10.2.1 lets the leader send its appends earlier).
   */
  List<Message> msgsAfterAppend = new ArrayList<>();
  /** The leader of {@link #term} as far as this node knows, or 0; never two in one term. */
  long lead;
  /** The node leadership is being transferred to, or 0. */
  long leadTransferee;
  /**
   * The log index of the latest conf change that may be unapplied; a new conf change is refused
   * until it is applied, so that at most one is in flight.
   */
  long pendingConfIndex;
  final boolean disableConfChangeValidation;
  /** Payload bytes of the leader's uncommitted tail, for MaxUncommittedEntriesSize. */
  long uncommittedSize;
  ReadOnly readOnly;
  // Ticks since the last election timeout reset (followers/candidates) or since the last
  // CheckQuorum round (leaders). On a follower it doubles as the age of the leader's lease: while
  // it is below electionTimeout, CheckQuorum makes us ignore vote requests (thesis 4.2.3).
  int electionElapsed;
  /** Ticks since the leader's last heartbeat round; leaders only. */
  int heartbeatElapsed;
  final boolean checkQuorum;
  final boolean preVote;
  final int heartbeatTimeout;
  final int electionTimeout;
  /** A follower's actual timeout, drawn from [electionTimeout, 2*electionTimeout-1] on reset. */
  int randomizedElectionTimeout;
  final boolean disableProposalForwarding;
  final boolean stepDownOnRemoval;
  final Logger logger;
  private final RandomGenerator random;
  /** ReadIndex requests that wait for this leader's first commit in its term. */
  List<Message> pendingReadIndexMessages = new ArrayList<>();

  Raft(Config c) {
    c.validate();
    this.id = c.id();
    this.logger = c.logger();
    this.random = c.random();
    this.raftLog = new RaftLog(c.storage(), logger, c.maxCommittedSizePerReady());
    InitialState is = c.storage().initialState();
    this.maxMsgSize = c.maxSizePerMsg();
    this.maxUncommittedSize = c.maxUncommittedEntriesSize();
    this.trk = new ProgressTracker(c.maxInflightMsgs(), c.maxInflightBytes());
    this.electionTimeout = c.electionTick();
    this.heartbeatTimeout = c.heartbeatTick();
    this.checkQuorum = c.checkQuorum();
    this.preVote = c.preVote();
    this.readOnly = new ReadOnly(c.readOnlyOption());
    this.disableProposalForwarding = c.disableProposalForwarding();
    this.disableConfChangeValidation = c.disableConfChangeValidation();
    this.stepDownOnRemoval = c.stepDownOnRemoval();

    EntryId last = raftLog.lastEntryId();
    // The membership comes from the ConfState in storage. The configuration rebuilt from it must
    // describe exactly that membership, or the node would count quorums wrongly.
    Changer.Result restored = Restore.restore(new Changer(trk, last.index()), is.confState());
    assertConfStatesEquivalent(is.confState(), switchToConfig(restored.config(), restored.progress()));

    if (!RaftUtil.isEmptyHardState(is.hardState())) {
      // Term and vote must survive a restart, or the node could vote twice in one term (thesis
      // 3.8). The stored commit index lets it apply what it knows is committed without waiting
      // to hear from a leader.
      loadState(is.hardState());
    }
    if (c.applied() > 0) {
      // Entries at or below the application's applied index are not handed out again.
      raftLog.appliedTo(c.applied(), 0);
    }
    // Every node starts as a follower of its stored term with no known leader (paper 5.2).
    becomeFollower(term, RaftUtil.NONE);

    StringBuilder peers = new StringBuilder();
    for (long v : trk.voterNodes()) {
      if (peers.length() > 0) {
        peers.append(',');
      }
      peers.append(Long.toHexString(v));
    }
    logger.info(
        "newRaft %x [peers: [%s], term: %d, commit: %d, applied: %d, lastindex: %d, lastterm: %d]",
        id, peers, term, raftLog.committed, raftLog.applied, last.index(), last.term());
  }

  boolean hasLeader() {
    return lead != RaftUtil.NONE;
  }

  SoftState softState() {
    return new SoftState(lead, state);
  }

  HardState hardState() {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(raftLog.committed).build();
  }

  // --- sending -------------------------------------------------------------------------------

  /**
   * Stamps {@code from} and the term where the protocol wants them, then queues the message. Every
   * protocol message carries its sender's term, so that the receiver can tell a stale sender from
   * a newer one (paper 5.1).
   */
  void send(Message.Builder m) {
    if (m.getFrom() == RaftUtil.NONE) {
      m.setFrom(id);
    }
    MessageType t = m.getType();
    if (t == MessageType.MsgVote
        || t == MessageType.MsgVoteResp
        || t == MessageType.MsgPreVote
        || t == MessageType.MsgPreVoteResp) {
      // Campaign messages carry the term of the campaign, which differs from ours for PreVote.
      if (m.getTerm() == 0) {
        throw logger.panic("term should be set when sending %s", t);
      }
    } else {
      if (m.getTerm() != 0) {
        throw logger.panic("term should not be set when sending %s (was %d)", t, m.getTerm());
      }
      // Forwarded proposals and read requests are local requests to the leader, not protocol
      // messages of a term.
      if (t != MessageType.MsgProp && t != MessageType.MsgReadIndex) {
        m.setTerm(term);
      }
    }
    if (t == MessageType.MsgAppResp || t == MessageType.MsgVoteResp || t == MessageType.MsgPreVoteResp) {
      // These promise that our log or vote is durable, so they wait for the write (thesis 3.8: a
      // server persists its term, vote and log before it answers). A pre-vote response promises
      // nothing durable; it simply travels the way the vote response it stands for does.
      msgsAfterAppend.add(m.build());
    } else {
      if (m.getTo() == id) {
        throw logger.panic("message should not be self-addressed when sending %s", t);
      }
      msgs.add(m.build());
    }
  }

  void sendAppend(long to) {
    maybeSendAppend(to, true);
  }

  /**
   * Sends the entries {@code to} lacks, or a snapshot when they are compacted. With {@code
   * sendIfEmpty} false nothing is sent when there are no entries to send.
   *
   * @return whether a message was sent
   */
  boolean maybeSendAppend(long to, boolean sendIfEmpty) {
    Progress pr = trk.progress().get(to);
    // Flow control: one append in flight while probing, a bounded window while replicating
    // (pipelining, thesis 10.2.2), nothing while a snapshot is on its way.
    if (pr.isPaused()) {
      return false;
    }
    // The (index, term) of the entry before the ones sent is the consistency check of the append:
    // the follower accepts only if its log has that entry (Log Matching, paper 5.3).
    long prevIndex = pr.next() - 1;
    long prevTerm;
    try {
      prevTerm = raftLog.term(prevIndex);
    } catch (CompactedException | UnavailableException e) {
      // The log was compacted past what the follower has: only a snapshot can catch it up.
      return maybeSendSnapshot(to, pr);
    }
    List<Entry> ents = List.of();
    // A replicating follower with full inflights only gets empty appends: one of them eventually
    // arrives and is acked or rejected, which frees the window even if every full append was lost.
    if (pr.state() != ProgressState.REPLICATE || !pr.inflights().full()) {
      try {
        ents = raftLog.entries(pr.next(), maxMsgSize);
      } catch (CompactedException e) {
        return maybeSendSnapshot(to, pr);
      }
    }
    if (ents.isEmpty() && !sendIfEmpty) {
      return false;
    }
    // The commit index rides along; the follower caps it at what it has verified to match.
    send(
        Message.newBuilder()
            .setTo(to)
            .setType(MessageType.MsgApp)
            .setIndex(prevIndex)
            .setLogTerm(prevTerm)
            .addAllEntries(ents)
            .setCommit(raftLog.committed));
    pr.sentEntries(ents.size(), Entries.payloadSize(ents));
    pr.sentCommit(raftLog.committed);
    return true;
  }

  private boolean maybeSendSnapshot(long to, Progress pr) {
    // A snapshot is expensive to send; a peer we have not heard from lately is probably down, and
    // CheckQuorum or its next response will make it recently active again.
    if (!pr.recentActive()) {
      logger.debug("ignore sending snapshot to %x since it is not recently active", to);
      return false;
    }
    Snapshot snapshot;
    try {
      snapshot = raftLog.snapshot();
    } catch (SnapshotTemporarilyUnavailableException e) {
      logger.debug(
          "%x failed to send snapshot to %x because snapshot is temporarily unavailable", id, to);
      return false;
    }
    if (RaftUtil.isEmptySnap(snapshot)) {
      throw logger.panic("need non-empty snapshot");
    }
    long sindex = snapshot.getMetadata().getIndex();
    long sterm = snapshot.getMetadata().getTerm();
    logger.debug(
        "%x [firstindex: %d, commit: %d] sent snapshot[index: %d, term: %d] to %x [%s]",
        id, raftLog.firstIndex(), raftLog.committed, sindex, sterm, to, pr);
    // Appends stop until the snapshot is reported (MsgSnapStatus) or the follower's response shows
    // it can continue from our log.
    pr.becomeSnapshot(sindex);
    logger.debug("%x paused sending replication messages to %x [%s]", id, to, pr);
    send(Message.newBuilder().setTo(to).setType(MessageType.MsgSnap).setSnapshot(snapshot));
    return true;
  }

  /**
   * A heartbeat asserts leadership for this term and resets the follower's election timer (paper
   * 5.2); {@code ctx} is the ReadIndex round it also confirms, if any.
   */
  void sendHeartbeat(long to, ByteString ctx) {
    Progress pr = trk.progress().get(to);
    // Never move a follower's commit past what it is known to have: it may lack those entries, or
    // hold different ones from an older term there, which a heartbeat does not check.
    long commit = Math.min(pr.match(), raftLog.committed);
    send(
        Message.newBuilder()
            .setTo(to)
            .setType(MessageType.MsgHeartbeat)
            .setCommit(commit)
            .setContext(ctx));
    pr.sentCommit(commit);
  }

  void bcastAppend() {
    trk.visit(
        (peer, pr) -> {
          if (peer != id) {
            sendAppend(peer);
          }
        });
  }

  void bcastHeartbeat() {
    bcastHeartbeatWithCtx(readOnly.lastContext());
  }

  private void bcastHeartbeatWithCtx(ByteString ctx) {
    trk.visit(
        (peer, pr) -> {
          if (peer != id) {
            sendHeartbeat(peer, ctx);
          }
        });
  }

  // --- applying --------------------------------------------------------------------------------

  /**
   * Records that the application applied entries up to {@code index} ({@code size} bytes of them,
   * returned to the apply quota). The applied index never goes back.
   */
  void appliedTo(long index, long size) {
    long newApplied = Math.max(index, raftLog.applied);
    raftLog.appliedTo(newApplied, size);
    // Joint consensus is two steps (thesis 4.3): once the entry that entered the joint config is
    // applied, the leader proposes the one that leaves it. pendingConfIndex covers that entry (for
    // a leader elected during the joint phase: everything in its log when it took office).
    if (trk.config().autoLeave() && newApplied >= pendingConfIndex && state == StateType.LEADER) {
      // The joint configuration this leader entered asks to be left automatically. An empty
      // ConfChangeV2 has zero payload, so the uncommitted-size limit never refuses it; only a
      // leader transfer can, and then the next applied entry tries again.
      Message m = confChangeToMsg(EntryType.EntryConfChangeV2, ByteString.EMPTY);
      try {
        step(m);
        logger.info("initiating automatic transition out of joint configuration %s", trk.config());
      } catch (ProposalDroppedException e) {
        logger.debug(
            "not initiating automatic transition out of joint configuration %s: %s",
            trk.config(), e.getMessage());
      }
    }
  }

  /** A snapshot that is now durable counts as applied: the state machine starts from it. */
  void appliedSnap(Snapshot snap) {
    long index = snap.getMetadata().getIndex();
    raftLog.stableSnapTo(index);
    appliedTo(index, 0);
  }

  /**
   * Advances the commit index to what a quorum has; leader only. The quorum index is only used if
   * the entry there is of this leader's term: an entry of an older term may be on a majority and
   * still be overwritten by a later leader (paper 5.4.2, figure 8), so it becomes committed only
   * with an entry of the current term after it (Leader Completeness).
   */
  boolean maybeCommit() {
    return raftLog.maybeCommit(new EntryId(term, trk.committed()));
  }

  // --- role changes ------------------------------------------------------------------------------

  /** Clears the per-term and per-leadership state when the term or the role changes. */
  void reset(long newTerm) {
    if (term != newTerm) {
      // A vote is for one term only: a new term frees it (and a same-term reset keeps it, or a
      // candidate stepping down in its own term could vote a second time).
      term = newTerm;
      vote = RaftUtil.NONE;
    }
    lead = RaftUtil.NONE;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    resetRandomizedElectionTimeout();
    abortLeaderTransfer();
    trk.resetVotes();
    // A new leader knows nothing about the followers' logs: it assumes they match its own and lets
    // the consistency check walk next back where they do not (paper 5.3), with match 0 until they
    // answer. Its own progress matches its whole log.
    long lastIndex = raftLog.lastIndex();
    ProgressMap fresh = new ProgressMap();
    trk.visit(
        (peer, pr) -> {
          Progress p =
              new Progress(
                  peer == id ? lastIndex : 0,
                  lastIndex + 1,
                  new dev.raftboot.tracker.Inflights(trk.maxInflight(), trk.maxInflightBytes()),
                  pr.isLearner(),
                  false);
          fresh.put(peer, p);
        });
    trk.setProgress(fresh);
    pendingConfIndex = 0;
    // The uncommitted-size limit bounds what this leader appends itself; an inherited tail is not
    // counted.
    uncommittedSize = 0;
    // Reads confirmed under the old term or role cannot be answered any more; their callers retry.
    readOnly = new ReadOnly(readOnly.option);
  }

  /**
   * Appends new entries of this leader's term at the end of its log (Leader Append-Only: a leader
   * never overwrites or deletes its own entries).
   *
   * @return false if the uncommitted-size limit refused them; nothing was appended then
   */
  private boolean appendEntry(List<Entry> es) {
    long li = raftLog.lastIndex();
    List<Entry> stamped = new ArrayList<>(es.size());
    for (int i = 0; i < es.size(); i++) {
      stamped.add(es.get(i).toBuilder().setTerm(term).setIndex(li + 1 + i).build());
    }
    if (!increaseUncommittedSize(stamped)) {
      logger.warn(
          "%x appending new entries to log would exceed uncommitted entry size limit; "
              + "dropping proposal",
          id);
      return false;
    }
    li = raftLog.append(stamped);
    // The leader acknowledges its own entries once they are durable, like any follower; the
    // response is stepped back in after the Ready's write.
    send(Message.newBuilder().setTo(id).setType(MessageType.MsgAppResp).setIndex(li));
    return true;
  }

  /** One logical clock tick: a leader counts towards heartbeats, the others towards elections. */
  void tick() {
    if (state == StateType.LEADER) {
      tickHeartbeat();
    } else {
      tickElection();
    }
  }

  private void tickElection() {
    electionElapsed++;
    // A follower that heard nothing from a leader for its randomized election timeout assumes
    // there is none and campaigns (paper 5.2). Learners never do: they are in no quorum.
    if (promotable() && pastElectionTimeout()) {
      electionElapsed = 0;
      step(Message.newBuilder().setFrom(id).setType(MessageType.MsgHup).build());
    }
  }

  private void tickHeartbeat() {
    heartbeatElapsed++;
    electionElapsed++;
    if (electionElapsed >= electionTimeout) {
      electionElapsed = 0;
      if (checkQuorum) {
        // Once per election timeout the leader checks that a quorum was active (thesis 6.2).
        step(Message.newBuilder().setFrom(id).setType(MessageType.MsgCheckQuorum).build());
      }
      // A transfer that did not finish within an election timeout is abandoned, and the leader
      // takes proposals again (thesis 3.10).
      if (state == StateType.LEADER && leadTransferee != RaftUtil.NONE) {
        abortLeaderTransfer();
      }
    }
    if (state != StateType.LEADER) {
      return;
    }
    if (heartbeatElapsed >= heartbeatTimeout) {
      heartbeatElapsed = 0;
      step(Message.newBuilder().setFrom(id).setType(MessageType.MsgBeat).build());
    }
  }

  /** Becomes a follower of {@code newLead} (0: leader unknown) in {@code newTerm}. */
  void becomeFollower(long newTerm, long newLead) {
    reset(newTerm);
    lead = newLead;
    state = StateType.FOLLOWER;
    logger.info("%x became follower at term %d", id, term);
  }

  /** Starts an election: a new term, and a vote for ourselves in it (paper 5.2). */
  void becomeCandidate() {
    if (state == StateType.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> candidate]");
    }
    reset(term + 1);
    vote = id;
    state = StateType.CANDIDATE;
    logger.info("%x became candidate at term %d", id, term);
  }

  void becomePreCandidate() {
    if (state == StateType.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
    }
    // A pre-candidate changes neither its term nor its vote: the pre-vote round must not disturb
    // anyone (thesis 9.6).
    trk.resetVotes();
    lead = RaftUtil.NONE;
    state = StateType.PRE_CANDIDATE;
    logger.info("%x became pre-candidate at term %d", id, term);
  }

  /** Takes office after winning a quorum of votes in this term. */
  void becomeLeader() {
    if (state == StateType.FOLLOWER) {
      throw new IllegalStateException("invalid transition [follower -> leader]");
    }
    reset(term);
    lead = id;
    state = StateType.LEADER;
    // The leader knows its own log: no probing of itself.
    Progress self = trk.progress().get(id);
    self.becomeReplicate();
    // The leader is always active; MsgCheckQuorum keeps it that way.
    self.setRecentActive(true);
    // There may be an unapplied conf change anywhere in the uncommitted tail; rather than scan
    // for it, refuse new conf changes until everything up to here is applied.
    pendingConfIndex = raftLog.lastIndex();
    // An entry of the new term lets the leader commit everything before it (paper 5.4.2). It has
    // no payload, so it never counts against the uncommitted-size limit.
    if (!appendEntry(List.of(Entry.getDefaultInstance()))) {
      throw logger.panic("empty entry was dropped");
    }
    logger.info("%x became leader at term %d", id, term);
  }

  /** Handles a request to campaign (election timeout, {@code campaign()}, or a transfer). */
  private void hup(CampaignType t) {
    if (state == StateType.LEADER) {
      logger.debug("%x ignoring MsgHup because already leader", id);
      return;
    }
    if (!promotable()) {
      logger.warn("%x is unpromotable and can not campaign", id);
      return;
    }
    // Votes are counted in the configuration in force, which lags the log until conf changes are
    // applied. With a committed but unapplied change that configuration is already outdated, and
    // a leader elected under it could count its quorums in the wrong membership.
    if (hasUnappliedConfChanges()) {
      logger.warn(
          "%x cannot campaign at term %d since there are still pending configuration changes to apply",
          id, term);
      return;
    }
    logger.info("%x is starting a new election at term %d", id, term);
    campaign(t);
  }

  /** Whether a committed but unapplied entry is a conf change; scanned in quota-sized pages. */
  private boolean hasUnappliedConfChanges() {
    if (raftLog.applied >= raftLog.committed) {
      return false;
    }
    long lo = raftLog.applied + 1;
    long hi = raftLog.committed + 1;
    return raftLog.scan(
        lo,
        hi,
        raftLog.maxApplyingEntsSize,
        ents -> {
          for (Entry e : ents) {
            if (e.getType() == EntryType.EntryConfChange
                || e.getType() == EntryType.EntryConfChangeV2) {
              return true;
            }
          }
          return false;
        });
  }

  /**
   * Asks every voter for its vote (or pre-vote). Requests go out in ascending ID order, which keeps
   * runs deterministic. Each carries our last entry's (index, term), by which voters judge whether
   * our log is up to date (paper 5.4.1).
   */
  void campaign(CampaignType t) {
    if (!promotable()) {
      logger.warn("%x is unpromotable; campaign() should have been called", id);
    }
    long voteTerm;
    MessageType voteMsg;
    if (t == CampaignType.PRE_ELECTION) {
      becomePreCandidate();
      voteMsg = MessageType.MsgPreVote;
      // Pre-votes ask for the term we would campaign at, without moving to it yet.
      voteTerm = term + 1;
    } else {
      becomeCandidate();
      voteMsg = MessageType.MsgVote;
      voteTerm = term;
    }
    for (long peer : trk.config().voters().ids()) {
      if (peer == id) {
        // Our own vote counts once it is durable, like any other: a crash before the write then
        // cannot leave a vote that was counted but is forgotten after the restart.
        send(
            Message.newBuilder()
                .setTo(id)
                .setTerm(voteTerm)
                .setType(RaftUtil.voteRespMsgType(voteMsg)));
        continue;
      }
      EntryId last = raftLog.lastEntryId();
      logger.info(
          "%x [logterm: %d, index: %d] sent %s request to %x at term %d",
          id, last.term(), last.index(), voteMsg, peer, term);
      Message.Builder m =
          Message.newBuilder()
              .setTo(peer)
              .setTerm(voteTerm)
              .setType(voteMsg)
              .setIndex(last.index())
              .setLogTerm(last.term());
      if (t == CampaignType.TRANSFER) {
        m.setContext(CampaignType.TRANSFER_CONTEXT);
      }
      send(m);
    }
  }

  /** Records a vote (only the first one from each voter counts) and tallies the election. */
  private ProgressTracker.TallyResult poll(long from, MessageType t, boolean granted) {
    if (granted) {
      logger.info("%x received %s from %x at term %d", id, t, from, term);
    } else {
      logger.info("%x received %s rejection from %x at term %d", id, t, from, term);
    }
    trk.recordVote(from, granted);
    return trk.tallyVotes();
  }

  // --- stepping ----------------------------------------------------------------------------------

  /**
   * Handles one message.
   *
   * <p>First the terms are compared (paper 5.1): a message of a newer term makes us a follower in
   * that term before it is handled, one of an older term is answered or dropped by {@code
   * stepLowerTerm} and never reaches the role's step function. Votes, pre-votes, the campaign
   * trigger and the storage threads' responses are handled the same in every role; the rest goes
   * to the step function of the current role.
   *
   * @throws ProposalDroppedException when a proposal cannot be accepted
   */
  void step(Message m) {
    if (m.getTerm() == 0) {
      // A local message or a forwarded request: no term to check.
    } else if (m.getTerm() > term) {
      if (m.getType() == MessageType.MsgVote || m.getType() == MessageType.MsgPreVote) {
        boolean force = m.getContext().equals(CampaignType.TRANSFER_CONTEXT);
        boolean inLease = checkQuorum && lead != RaftUtil.NONE && electionElapsed < electionTimeout;
        if (!force && inLease) {
          // We heard from a live leader within the minimum election timeout: neither update the
          // term nor grant the vote (thesis 4.2.3), so a partitioned node cannot disrupt us.
          EntryId last = raftLog.lastEntryId();
          logger.info(
              "%x [logterm: %d, index: %d, vote: %x] ignored %s from %x [logterm: %d, index: %d] "
                  + "at term %d: lease is not expired (remaining ticks: %d)",
              id, last.term(), last.index(), vote, m.getType(), m.getFrom(), m.getLogTerm(),
              m.getIndex(), term, electionTimeout - electionElapsed);
          return;
        }
      }
      if (m.getType() == MessageType.MsgPreVote) {
        // A pre-vote never changes our term.
      } else if (m.getType() == MessageType.MsgPreVoteResp && !m.getReject()) {
        // A granted pre-vote carries the term we asked for; we move to it when we campaign.
      } else {
        logger.info(
            "%x [term: %d] received a %s message with higher term from %x [term: %d]",
            id, term, m.getType(), m.getFrom(), m.getTerm());
        // Our term is stale, so whatever role we had is over. Only the leader of a term sends
        // appends, heartbeats and snapshots, so their sender is the leader of the new term.
        if (m.getType() == MessageType.MsgApp
            || m.getType() == MessageType.MsgHeartbeat
            || m.getType() == MessageType.MsgSnap) {
          becomeFollower(m.getTerm(), m.getFrom());
        } else {
          becomeFollower(m.getTerm(), RaftUtil.NONE);
        }
      }
    } else if (m.getTerm() < term) {
      stepLowerTerm(m);
      return;
    }

    switch (m.getType()) {
      case MsgHup:
        hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
        break;
      case MsgStorageAppendResp:
        // The write of a Ready finished: its entries are now in stable storage. The (index, term)
        // identifies the last entry written, so that entries replaced in the unstable log since
        // are not marked stable by mistake.
        if (m.getIndex() != 0) {
          raftLog.stableTo(new EntryId(m.getLogTerm(), m.getIndex()));
        }
        if (m.hasSnapshot()) {
          appliedSnap(m.getSnapshot());
        }
        break;
      case MsgStorageApplyResp:
        // The application applied these entries: move applied, release their apply quota and,
        // on the leader, their share of the uncommitted-size limit.
        if (m.getEntriesCount() > 0) {
          List<Entry> ents = m.getEntriesList();
          appliedTo(ents.get(ents.size() - 1).getIndex(), Entries.size(ents));
          reduceUncommittedSize(Entries.payloadSize(ents));
        }
        break;
      case MsgVote:
      case MsgPreVote:
        stepVoteRequest(m);
        break;
      default:
        switch (state) {
          case LEADER:
            stepLeader(m);
            break;
          case CANDIDATE:
          case PRE_CANDIDATE:
            stepCandidate(m);
            break;
          default:
            stepFollower(m);
        }
    }
  }

  /**
   * Handles a message whose term is older than ours. Its sender is out of date; nothing in it may
   * change our state (paper 5.1), except a snapshot our own storage reports as written.
   */
  private void stepLowerTerm(Message m) {
    if ((checkQuorum || preVote)
        && (m.getType() == MessageType.MsgHeartbeat || m.getType() == MessageType.MsgApp)) {
      // A leader of an older term is talking to us. Either the message was delayed, or we raised
      // our term while partitioned and can now neither win nor rejoin: with CheckQuorum or PreVote
      // our votes will not force the term up, so tell that leader our term instead.
      send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp));
    } else if (m.getType() == MessageType.MsgPreVote) {
      // Reject explicitly: a pre-candidate from before a PreVote rollout could otherwise stall.
      EntryId last = raftLog.lastEntryId();
      logger.info(
          "%x [logterm: %d, index: %d, vote: %x] rejected %s from %x [logterm: %d, index: %d] at term %d",
          id, last.term(), last.index(), vote, m.getType(), m.getFrom(), m.getLogTerm(),
          m.getIndex(), term);
      send(
          Message.newBuilder()
              .setTo(m.getFrom())
              .setTerm(term)
              .setType(MessageType.MsgPreVoteResp)
              .setReject(true));
    } else if (m.getType() == MessageType.MsgStorageAppendResp) {
      if (m.getIndex() != 0) {
        // The entries may have been overwritten in the unstable log in the newer term, so they
        // cannot be marked stable on the strength of this response.
        logger.info(
            "%x [term: %d] ignored entry appends from a %s message with lower term [term: %d]",
            id, term, m.getType(), m.getTerm());
      }
      if (m.hasSnapshot()) {
        // A snapshot holds committed state, valid whatever the term it was written in.
        appliedSnap(m.getSnapshot());
      }
    } else {
      logger.info(
          "%x [term: %d] ignored a %s message with lower term from %x [term: %d]",
          id, term, m.getType(), m.getFrom(), m.getTerm());
    }
  }

  /**
   * Answers a MsgVote or MsgPreVote of our term or a newer one (a newer term has already been
   * adopted for a MsgVote). Election Safety rests on this method: a node grants at most one vote
   * per term.
   */
  private void stepVoteRequest(Message m) {
    // We may vote for a repeat of our vote, when we have not voted and know no leader, or for a
    // pre-vote of a future term. A repeat is a retransmission: granting it again changes nothing.
    // Knowing a leader of this term rules a vote out: one was elected already, and no other
    // candidate can win this term (MsgForgetLeader clears lead to lift this). A pre-vote binds us
    // to nothing, so granting several of them is harmless...
    boolean canVote =
        vote == m.getFrom()
            || (vote == RaftUtil.NONE && lead == RaftUtil.NONE)
            || (m.getType() == MessageType.MsgPreVote && m.getTerm() > term);
    EntryId lastId = raftLog.lastEntryId();
    EntryId candLastId = new EntryId(m.getLogTerm(), m.getIndex());
    // ...and only for a candidate whose log is at least as up to date as ours (paper 5.4.1).
    // Learners vote too: a learner may already have been promoted without knowing it yet.
    if (canVote && raftLog.isUpToDate(candLastId)) {
      logger.info(
          "%x [logterm: %d, index: %d, vote: %x] cast %s for %x [logterm: %d, index: %d] at term %d",
          id, lastId.term(), lastId.index(), vote, m.getType(), m.getFrom(), candLastId.term(),
          candLastId.index(), term);
      // Answer with the message's term: for a pre-vote ours is older, and the pre-candidate
      // ignores responses from older terms.
      send(
          Message.newBuilder()
              .setTo(m.getFrom())
              .setTerm(m.getTerm())
              .setType(RaftUtil.voteRespMsgType(m.getType())));
      if (m.getType() == MessageType.MsgVote) {
        // Granting a vote restarts our election timer (paper 5.2: followers campaign only when
        // they neither heard from a leader nor granted a vote). The vote goes into the hard state
        // of this Ready and the response waits until it is durable.
        electionElapsed = 0;
        vote = m.getFrom();
      }
    } else {
      logger.info(
          "%x [logterm: %d, index: %d, vote: %x] rejected %s from %x [logterm: %d, index: %d] at term %d",
          id, lastId.term(), lastId.index(), vote, m.getType(), m.getFrom(), candLastId.term(),
          candLastId.index(), term);
      send(
          Message.newBuilder()
              .setTo(m.getFrom())
              .setTerm(term)
              .setType(RaftUtil.voteRespMsgType(m.getType()))
              .setReject(true));
    }
  }

  /** The leader's step function; the first switch takes messages that need no follower progress. */
  private void stepLeader(Message m) {
    switch (m.getType()) {
      case MsgBeat:
        bcastHeartbeat();
        return;
      case MsgCheckQuorum:
        // A leader that did not hear from a quorum for an election timeout steps down (thesis
        // 6.2): a newer leader may exist on the other side of a partition, and clients waiting on
        // this one should retry elsewhere. It also ends the lease that lease reads rely on.
        if (!trk.quorumActive()) {
          logger.warn("%x stepped down to follower since quorum is not active", id);
          becomeFollower(term, RaftUtil.NONE);
        }
        // Start the next CheckQuorum period with everyone but us inactive.
        trk.visit(
            (peer, pr) -> {
              if (peer != id) {
                pr.setRecentActive(false);
              }
            });
        return;
      case MsgProp:
        stepLeaderProposal(m);
        return;
      case MsgReadIndex:
        if (trk.isSingleton() && trk.config().voters().incoming().contains(id)) {
          // We are the only voter: our commit index is trivially current. (A leader that was
          // removed or demoted and kept leading must not take this path when the one voter left
          // is another node: that node may lead a newer term and have committed more, so a read
          // index from here could be stale. It confirms with a quorum like any other leader.)
          respondToReadIndex(m, raftLog.committed);
          return;
        }
        // Until the leader commits an entry of its term it does not know the commit index
        // (paper section 8), so reads wait for that first commit.
        if (!committedEntryInCurrentTerm()) {
          pendingReadIndexMessages.add(m);
          return;
        }
        sendReadIndexResponse(m);
        return;
      case MsgForgetLeader:
        // A leader does not forget itself.
        return;
      default:
        break;
    }

    // From here on the message is about one member; a sender outside the configuration (removed,
    // or not yet added) has no progress and is ignored.
    Progress pr = trk.progress().get(m.getFrom());
    if (pr == null) {
      logger.debug("%x no progress available for %x", id, m.getFrom());
      return;
    }
    switch (m.getType()) {
      case MsgAppResp:
        stepLeaderAppResp(m, pr);
        break;
      case MsgHeartbeatResp:
        pr.setRecentActive(true);
        pr.setMsgAppFlowPaused(false);
        // An append (maybe empty) lets a throttled follower clear its window even if all the
        // appends that filled it were lost, and lets a caught-up follower in probe state get back
        // to replicating. For snapshot state the append is a no-op (always paused).
        if (pr.match() < raftLog.lastIndex() || pr.state() == ProgressState.PROBE) {
          sendAppend(m.getFrom());
        }
        if (readOnly.option != ReadOnlyOption.SAFE || m.getContext().isEmpty()) {
          return;
        }
        // The response echoes a ReadIndex round: this follower still followed us when that round
        // was sent. Reads whose round a quorum has confirmed are answered (thesis 6.4, step 3).
        readOnly.recvAck(m.getFrom(), m.getContext());
        for (ReadOnly.Pending rs : readOnly.advance(trk.config().voters())) {
          respondToReadIndex(rs.req(), rs.index());
        }
        break;
      case MsgSnapStatus:
        if (pr.state() != ProgressState.SNAPSHOT) {
          return;
        }
        if (!m.getReject()) {
          pr.becomeProbe();
          logger.debug(
              "%x snapshot succeeded, resumed sending replication messages to %x [%s]",
              id, m.getFrom(), pr);
        } else {
          // Clear the pending snapshot first, or probing would start after a snapshot that never
          // arrived.
          pr.setPendingSnapshot(0);
          pr.becomeProbe();
          logger.debug(
              "%x snapshot failed, resumed sending replication messages to %x [%s]",
              id, m.getFrom(), pr);
        }
        // Wait for the follower's append response (success) or a heartbeat (failure) before the
        // next append.
        pr.setMsgAppFlowPaused(true);
        break;
      case MsgUnreachable:
        // An optimistic append to an unreachable peer was probably lost.
        if (pr.state() == ProgressState.REPLICATE) {
          pr.becomeProbe();
        }
        logger.debug(
            "%x failed to send message to %x because it is unreachable [%s]", id, m.getFrom(), pr);
        break;
      case MsgTransferLeader:
        stepLeaderTransfer(m, pr);
        break;
      default:
        break;
    }
  }

  /** Appends a batch of proposals (our own or forwarded) to the log and replicates them. */
  private void stepLeaderProposal(Message m) {
    if (m.getEntriesCount() == 0) {
      throw logger.panic("%x stepped empty MsgProp", id);
    }
    if (!trk.progress().containsKey(id)) {
      // We were removed from the configuration while leading; take no new work.
      throw ProposalDroppedException.INSTANCE;
    }
    // During a transfer the leader takes no new entries, so that the transferee can catch up with
    // a log that stops growing (thesis 3.10).
    if (leadTransferee != RaftUtil.NONE) {
      logger.debug(
          "%x [term %d] transfer leadership to %x is in progress; dropping proposal",
          id, term, leadTransferee);
      throw ProposalDroppedException.INSTANCE;
    }
    List<Entry> ents = new ArrayList<>(m.getEntriesList());
    for (int i = 0; i < ents.size(); i++) {
      Entry e = ents.get(i);
      ConfChangeV2 cc = decodeConfChange(e);
      if (cc == null) {
        continue;
      }
      // A configuration takes effect here when it is applied, not when it is appended as in
      // thesis 4.1. Allowing one unapplied change at a time keeps every decision within two
      // adjacent configurations, whose quorums overlap. In a joint config the only change allowed
      // is the one that leaves it, and leaving is only possible from a joint config (thesis 4.3).
      boolean alreadyPending = pendingConfIndex > raftLog.applied;
      boolean alreadyJoint = trk.config().voters().isJoint();
      boolean wantsLeaveJoint = cc.getChangesCount() == 0;
      String failedCheck = null;
      if (alreadyPending) {
        failedCheck =
            String.format(
                "possible unapplied conf change at index %d (applied to %d)",
                pendingConfIndex, raftLog.applied);
      } else if (alreadyJoint && !wantsLeaveJoint) {
        failedCheck = "must transition out of joint config first";
      } else if (!alreadyJoint && wantsLeaveJoint) {
        failedCheck = "not in joint state; refusing empty conf change";
      }
      if (failedCheck != null && !disableConfChangeValidation) {
        logger.info(
            "%x ignoring conf change %s at config %s: %s",
            id, Describe.confChange(cc), trk.config(), failedCheck);
        // Keep the slot so indexes stay as the proposer expects, but make it a no-op.
        ents.set(i, Entry.newBuilder().setType(EntryType.EntryNormal).build());
      } else {
        pendingConfIndex = raftLog.lastIndex() + i + 1;
      }
    }
    if (!appendEntry(ents)) {
      throw ProposalDroppedException.INSTANCE;
    }
    bcastAppend();
  }

  private void stepLeaderAppResp(Message m, Progress pr) {
    // Also reached from RawNode.advance, when the leader acknowledges its own appended entries.
    // Any response, accepted or rejected, shows that the follower is alive (CheckQuorum).
    pr.setRecentActive(true);
    if (m.getReject()) {
      // RejectHint is the follower's guess of the last index where the logs may match, and
      // LogTerm its term there. When the follower has a divergent tail, look in our log for the
      // last entry of at most that term: everything after it in the follower's log beyond that
      // term cannot match, so whole terms are skipped instead of probing one index at a time.
      logger.debug(
          "%x received MsgAppResp(rejected, hint: (index %d, term %d)) from %x for index %d",
          id, m.getRejectHint(), m.getLogTerm(), m.getFrom(), m.getIndex());
      long nextProbeIdx = m.getRejectHint();
      if (m.getLogTerm() > 0) {
        nextProbeIdx = raftLog.findConflictByTerm(m.getRejectHint(), m.getLogTerm()).index();
      }
      // An out-of-date rejection (for an index already matched, or not for the probe we wait
      // for) changes nothing.
      if (pr.maybeDecrTo(m.getIndex(), nextProbeIdx)) {
        logger.debug("%x decreased progress of %x to [%s]", id, m.getFrom(), pr);
        // The follower's log differs from what we assumed: stop streaming and probe from the new
        // next index, one append at a time, until a response shows where the logs match.
        if (pr.state() == ProgressState.REPLICATE) {
          pr.becomeProbe();
        }
        sendAppend(m.getFrom());
      }
      return;
    }
    // A response that does not advance match can still move a probing peer back to replicating.
    // It cannot do so in snapshot state: match then says the follower lacks match+1.
    if (!(pr.maybeUpdate(m.getIndex())
        || (pr.match() == m.getIndex() && pr.state() == ProgressState.PROBE))) {
      return;
    }
    if (pr.state() == ProgressState.PROBE) {
      pr.becomeReplicate();
    } else if (pr.state() == ProgressState.SNAPSHOT && pr.match() + 1 >= raftLog.firstIndex()) {
      // Whatever snapshot the follower applied, if it lets us continue from the log we accept it.
      logger.debug(
          "%x recovered from needing snapshot, resumed sending replication messages to %x [%s]",
          id, m.getFrom(), pr);
      // Go through probe so the pending snapshot is accounted for.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state() == ProgressState.REPLICATE) {
      pr.inflights().freeLE(m.getIndex());
    }

    // A new match may complete a quorum for a higher index.
    if (maybeCommit()) {
      // A commit in our term makes pending reads safe to answer.
      releasePendingReadIndexMessages();
      // Tell everyone the new commit index now rather than at the next heartbeat.
      bcastAppend();
    } else if (id != m.getFrom() && pr.canBumpCommit(raftLog.committed)) {
      // The follower may not know the latest commit yet; tell it without waiting for a heartbeat.
      sendAppend(m.getFrom());
    }
    // Flow control may have opened up (probe to replicate, several inflights freed): send as much
    // as is allowed, without empty appends.
    if (id != m.getFrom()) {
      while (maybeSendAppend(m.getFrom(), false)) {
        // keep sending
      }
    }
    // The transferee has caught up with our whole log, so its log is as up to date as any voter's
    // and it can win the election: tell it to campaign now (thesis 3.10).
    if (m.getFrom() == leadTransferee && pr.match() == raftLog.lastIndex()) {
      logger.info("%x sent MsgTimeoutNow to %x after received MsgAppResp", id, m.getFrom());
      sendTimeoutNow(m.getFrom());
    }
  }

  /**
   * Starts handing leadership to the message's sender (thesis 3.10): bring its log up to date,
   * then send it MsgTimeoutNow so that it campaigns at once instead of waiting for a timeout.
   */
  private void stepLeaderTransfer(Message m, Progress pr) {
    // A learner has no vote and cannot campaign.
    if (pr.isLearner()) {
      logger.debug("%x is learner. Ignored transferring leadership", id);
      return;
    }
    long transferee = m.getFrom();
    long last = leadTransferee;
    if (last != RaftUtil.NONE) {
      if (last == transferee) {
        logger.info(
            "%x [term %d] transfer leadership to %x is in progress, ignores request to same node %x",
            id, term, transferee, transferee);
        return;
      }
      abortLeaderTransfer();
      logger.info("%x [term %d] abort previous transferring leadership to %x", id, term, last);
    }
    if (transferee == id) {
      logger.debug("%x is already leader. Ignored transferring leadership to self", id);
      return;
    }
    logger.info("%x [term %d] starts to transfer leadership to %x", id, term, transferee);
    // The transfer must finish within an election timeout (tickHeartbeat aborts it).
    electionElapsed = 0;
    leadTransferee = transferee;
    if (pr.match() == raftLog.lastIndex()) {
      sendTimeoutNow(transferee);
      logger.info(
          "%x sends MsgTimeoutNow to %x immediately as %x already has up-to-date log",
          id, transferee, transferee);
    } else {
      sendAppend(transferee);
    }
  }

  /** The step function of candidates and pre-candidates. */
  private void stepCandidate(Message m) {
    // Only responses to the current campaign count: a candidate may still receive pre-vote
    // responses of its pre-candidate phase in the same term.
    MessageType myVoteRespType =
        state == StateType.PRE_CANDIDATE ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
    MessageType t = m.getType();
    if (t == MessageType.MsgProp) {
      logger.info("%x no leader at term %d; dropping proposal", id, term);
      throw ProposalDroppedException.INSTANCE;
    } else if (t == MessageType.MsgApp) {
      // A leader exists in our term (m.term == term here), so we lost this election: accept it as
      // leader (paper 5.2). The same holds for a heartbeat or a snapshot.
      becomeFollower(m.getTerm(), m.getFrom());
      handleAppendEntries(m);
    } else if (t == MessageType.MsgHeartbeat) {
      becomeFollower(m.getTerm(), m.getFrom());
      handleHeartbeat(m);
    } else if (t == MessageType.MsgSnap) {
      becomeFollower(m.getTerm(), m.getFrom());
      handleSnapshot(m);
    } else if (t == myVoteRespType) {
      ProgressTracker.TallyResult r = poll(m.getFrom(), t, !m.getReject());
      logger.info(
          "%x has received %d %s votes and %d vote rejections", id, r.granted(), t, r.rejected());
      if (r.result() == VoteResult.WON) {
        if (state == StateType.PRE_CANDIDATE) {
          // A quorum would vote for us: only now raise the term and run the real election.
          campaign(CampaignType.ELECTION);
        } else {
          becomeLeader();
          // Announce the new term at once, with the leader's empty entry, before anyone else's
          // election timer runs out (paper 5.2).
          bcastAppend();
        }
      } else if (r.result() == VoteResult.LOST) {
        // A pre-vote rejection may carry a newer term; we keep ours.
        becomeFollower(term, RaftUtil.NONE);
      }
    } else if (t == MessageType.MsgTimeoutNow) {
      // Already campaigning; a second campaign would only raise the term again.
      logger.debug("%x [term %d state %s] ignored MsgTimeoutNow from %x", id, term, state, m.getFrom());
    }
  }

  /** The follower's step function. */
  private void stepFollower(Message m) {
    switch (m.getType()) {
      case MsgProp:
        // Followers forward proposals to the leader rather than refuse them (thesis 6.2). A
        // forwarded proposal may be lost on the way; the proposer cannot tell, and must detect
        // that from what is applied.
        if (lead == RaftUtil.NONE) {
          logger.info("%x no leader at term %d; dropping proposal", id, term);
          throw ProposalDroppedException.INSTANCE;
        } else if (disableProposalForwarding) {
          logger.info("%x not forwarding to leader %x at term %d; dropping proposal", id, lead, term);
          throw ProposalDroppedException.INSTANCE;
        }
        send(m.toBuilder().setTo(lead));
        break;
      case MsgApp:
        // Hearing from the leader of our term restarts the election timer (paper 5.2).
        electionElapsed = 0;
        lead = m.getFrom();
        handleAppendEntries(m);
        break;
      case MsgHeartbeat:
        electionElapsed = 0;
        lead = m.getFrom();
        handleHeartbeat(m);
        break;
      case MsgSnap:
        electionElapsed = 0;
        lead = m.getFrom();
        handleSnapshot(m);
        break;
      case MsgTransferLeader:
        if (lead == RaftUtil.NONE) {
          logger.info("%x no leader at term %d; dropping leader transfer msg", id, term);
          return;
        }
        send(m.toBuilder().setTo(lead));
        break;
      case MsgForgetLeader:
        if (readOnly.option == ReadOnlyOption.LEASE_BASED) {
          // Forgetting the leader would let us vote inside its lease and break lease reads.
          logger.error("ignoring MsgForgetLeader due to ReadOnlyLeaseBased");
          return;
        }
        if (lead != RaftUtil.NONE) {
          logger.info("%x forgetting leader %x at term %d", id, lead, term);
          lead = RaftUtil.NONE;
        }
        break;
      case MsgTimeoutNow:
        logger.info(
            "%x [term %d] received MsgTimeoutNow from %x and starts an election to get leadership.",
            id, term, m.getFrom());
        // The old leader asked for this, so there is no partition to guard against: no pre-vote,
        // and the campaign is marked so that voters still within the old leader's lease (thesis
        // 4.2.3) grant their votes anyway.
        hup(CampaignType.TRANSFER);
        break;
      case MsgReadIndex:
        // Only the leader can tell a linearizable read index; a follower asks it and then waits
        // until its own applied index reaches the answer (thesis 6.4).
        if (lead == RaftUtil.NONE) {
          logger.info("%x no leader at term %d; dropping index reading msg", id, term);
          return;
        }
        send(m.toBuilder().setTo(lead));
        break;
      case MsgReadIndexResp:
        if (m.getEntriesCount() != 1) {
          logger.error(
              "%x invalid format of MsgReadIndexResp from %x, entries count: %d",
              id, m.getFrom(), m.getEntriesCount());
          return;
        }
        readStates.add(new ReadState(m.getIndex(), m.getEntries(0).getData()));
        break;
      default:
        break;
    }
  }

  /**
   * The follower's side of replication (paper 5.3): accept the entries if our log holds their
   * predecessor with the same term, dropping any conflicting suffix of ours, else reject with a
   * hint of where the logs may match.
   */
  private void handleAppendEntries(Message m) {
    if (m.getIndex() < raftLog.committed) {
      // A delayed or duplicated append that starts below our commit index. Everything up to our
      // commit index already matches the leader's log (Leader Completeness), so acknowledge that
      // much and let the leader move on from there.
      send(
          Message.newBuilder()
              .setTo(m.getFrom())
              .setType(MessageType.MsgAppResp)
              .setIndex(raftLog.committed));
      return;
    }
    // On a match, entries we already have are kept (appends may be retransmitted), the first
    // conflicting one and everything after it is replaced, and the commit index moves to the
    // leader's, capped at the last entry this append verified: beyond it our log may still differ.
    long lastNew =
        raftLog.maybeAppend(
            new EntryId(m.getLogTerm(), m.getIndex()), m.getEntriesList(), m.getCommit());
    if (lastNew != -1) {
      send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp).setIndex(lastNew));
      return;
    }
    logger.debug(
        "%x [logterm: %d, index: %d] rejected MsgApp [logterm: %d, index: %d] from %x",
        id, raftLog.zeroTermOnOutOfBounds(m.getIndex()), m.getIndex(), m.getLogTerm(),
        m.getIndex(), m.getFrom());
    // Hint the largest (index, term) at or below the leader's where our term is not newer than
    // the leader's: everything after it in our log is a divergent tail the leader can skip.
    long hintIndex = Math.min(m.getIndex(), raftLog.lastIndex());
    EntryId hint = raftLog.findConflictByTerm(hintIndex, m.getLogTerm());
    send(
        Message.newBuilder()
            .setTo(m.getFrom())
            .setType(MessageType.MsgAppResp)
            .setIndex(m.getIndex())
            .setReject(true)
            .setRejectHint(hint.index())
            .setLogTerm(hint.term()));
  }

  private void handleHeartbeat(Message m) {
    // The leader never sends a commit index beyond our match (sendHeartbeat), and commitTo never
    // moves the commit index back.
    raftLog.commitTo(m.getCommit());
    send(
        Message.newBuilder()
            .setTo(m.getFrom())
            .setType(MessageType.MsgHeartbeatResp)
            .setContext(m.getContext()));
  }

  /**
   * The follower's side of InstallSnapshot (paper 7). The answer is an append response, so the
   * leader's usual progress handling picks up from whatever our log now ends at.
   */
  private void handleSnapshot(Message m) {
    Snapshot s = m.hasSnapshot() ? m.getSnapshot() : Snapshot.getDefaultInstance();
    long sindex = s.getMetadata().getIndex();
    long sterm = s.getMetadata().getTerm();
    if (restore(s)) {
      logger.info(
          "%x [commit: %d] restored snapshot [index: %d, term: %d]",
          id, raftLog.committed, sindex, sterm);
      send(
          Message.newBuilder()
              .setTo(m.getFrom())
              .setType(MessageType.MsgAppResp)
              .setIndex(raftLog.lastIndex()));
    } else {
      logger.info(
          "%x [commit: %d] ignored snapshot [index: %d, term: %d]",
          id, raftLog.committed, sindex, sterm);
      send(
          Message.newBuilder()
              .setTo(m.getFrom())
              .setType(MessageType.MsgAppResp)
              .setIndex(raftLog.committed));
    }
  }

  /**
   * Replaces the log and configuration with a snapshot's.
   *
   * @return false if the snapshot was not needed (old, or its last entry already in our log) or
   *     not acceptable
   */
  boolean restore(Snapshot s) {
    long sindex = s.getMetadata().getIndex();
    long sterm = s.getMetadata().getTerm();
    // A snapshot holds committed state only. If we have committed that far already it brings
    // nothing, and installing it could move the commit index back.
    if (sindex <= raftLog.committed) {
      return false;
    }
    if (state != StateType.FOLLOWER) {
      // Only followers receive snapshots; refuse rather than corrupt a leader's state.
      logger.warn("%x attempted to restore snapshot as leader; should never happen", id);
      becomeFollower(term + 1, RaftUtil.NONE);
      return false;
    }
    ConfState cs = s.getMetadata().getConfState();
    if (!cs.getVotersList().contains(id)
        && !cs.getLearnersList().contains(id)
        && !cs.getVotersOutgoingList().contains(id)) {
      // LearnersNext need not be checked: its members are always outgoing voters.
      logger.warn(
          "%x attempted to restore snapshot but it is not in the ConfState %s; should never happen",
          id, Describe.confState(cs));
      return false;
    }
    EntryId snapId = new EntryId(sterm, sindex);
    if (raftLog.matchTerm(snapId)) {
      // We already have the snapshot's last entry, hence (Log Matching) everything before it:
      // just commit, and keep the entries after it (paper 7).
      EntryId last = raftLog.lastEntryId();
      logger.info(
          "%x [commit: %d, lastindex: %d, lastterm: %d] fast-forwarded commit to snapshot "
              + "[index: %d, term: %d]",
          id, raftLog.committed, last.index(), last.term(), sindex, sterm);
      raftLog.commitTo(sindex);
      return false;
    }
    // Otherwise the snapshot replaces our whole log, and its ConfState our membership: the
    // configuration must match the state the snapshot describes, not the entries we drop.
    raftLog.restore(s);
    trk = new ProgressTracker(trk.maxInflight(), trk.maxInflightBytes());
    Changer.Result restored = Restore.restore(new Changer(trk, raftLog.lastIndex()), cs);
    assertConfStatesEquivalent(cs, switchToConfig(restored.config(), restored.progress()));
    EntryId last = raftLog.lastEntryId();
    logger.info(
        "%x [commit: %d, lastindex: %d, lastterm: %d] restored snapshot [index: %d, term: %d]",
        id, raftLog.committed, last.index(), last.term(), sindex, sterm);
    return true;
  }

  /** Whether this node may become leader: a voter, not in the middle of applying a snapshot. */
  boolean promotable() {
    Progress pr = trk.progress().get(id);
    return pr != null && !pr.isLearner() && !raftLog.hasNextOrInProgressSnapshot();
  }

  /**
   * Makes an applied conf change the configuration in force: a change of at most one voter
   * directly (thesis 4.1), a larger one, or one that asks for it, by entering a joint config, and
   * an empty one by leaving it (thesis 4.3).
   */
  ConfState applyConfChange(ConfChangeV2 cc) {
    Changer changer = new Changer(trk, raftLog.lastIndex());
    Changer.Result r;
    if (ConfChanges.leaveJoint(cc)) {
      r = changer.leaveJoint();
    } else if (ConfChanges.enterJoint(cc)) {
      r = changer.enterJoint(ConfChanges.autoLeave(cc), cc.getChangesList());
    } else {
      r = changer.simple(cc.getChangesList());
    }
    return switchToConfig(r.config(), r.progress());
  }

  /**
   * Makes {@code cfg} the active configuration and reacts to it: a removed leader may step down,
   * a leader commits what the new quorum allows and probes new members.
   */
  ConfState switchToConfig(TrackerConfig cfg, ProgressMap progress) {
    trk.setConfig(cfg);
    trk.setProgress(progress);
    logger.info("%x switched to configuration %s", id, trk.config());
    ConfState cs = trk.confState();
    Progress pr = trk.progress().get(id);
    isLearner = pr != null && pr.isLearner();
    if ((pr == null || isLearner) && state == StateType.LEADER) {
      // We were removed or demoted while leading.
      if (stepDownOnRemoval) {
        becomeFollower(term, RaftUtil.NONE);
      }
      return cs;
    }
    if (state != StateType.LEADER || cs.getVotersCount() == 0) {
      return cs;
    }
    // The new quorum may already hold a higher index than the old one did (a lagging voter was
    // removed, say), so commit what it allows at once.
    if (maybeCommit()) {
      bcastAppend();
    } else {
      // Probe new members now rather than at the next heartbeat or proposal.
      trk.visit(
          (peer, p) -> {
            if (peer != id) {
              maybeSendAppend(peer, false);
            }
          });
    }
    // A transferee that is no longer a voter could not win; give up the transfer.
    if (leadTransferee != RaftUtil.NONE && !trk.config().voters().ids().contains(leadTransferee)) {
      abortLeaderTransfer();
    }
    return cs;
  }

  /**
   * Takes term, vote and commit from a stored hard state. A commit index outside [snapshot index,
   * last index] means the stored hard state and log disagree (entries confirmed as written are
   * missing): the node refuses to run on them.
   */
  void loadState(HardState hs) {
    if (hs.getCommit() < raftLog.committed || hs.getCommit() > raftLog.lastIndex()) {
      throw logger.panic(
          "%x state.commit %d is out of range [%d, %d]",
          id, hs.getCommit(), raftLog.committed, raftLog.lastIndex());
    }
    raftLog.committed = hs.getCommit();
    term = hs.getTerm();
    vote = hs.getVote();
  }

  boolean pastElectionTimeout() {
    return electionElapsed >= randomizedElectionTimeout;
  }

  /**
   * Draws a new timeout from {@code [electionTimeout, 2 * electionTimeout - 1]}: spreading the
   * timeouts makes split votes rare, since one node usually times out well before the others
   * (paper 5.2).
   */
  void resetRandomizedElectionTimeout() {
    randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
  }

  /** Tells a transferee to campaign now, without waiting for its election timeout (thesis 3.10). */
  void sendTimeoutNow(long to) {
    send(Message.newBuilder().setTo(to).setType(MessageType.MsgTimeoutNow));
  }

  void abortLeaderTransfer() {
    leadTransferee = RaftUtil.NONE;
  }

  /**
   * Whether this leader has committed an entry of its own term. Only then does its commit index
   * cover everything committed before it took office (paper 8, thesis 6.4 step 1).
   */
  private boolean committedEntryInCurrentTerm() {
    // A leader's term is never 0, so an out-of-bounds 0 never matches.
    return raftLog.zeroTermOnOutOfBounds(raftLog.committed) == term;
  }

  /** Answers a read request locally (our own) or with a MsgReadIndexResp (a follower's). */
  private void respondToReadIndex(Message req, long readIndex) {
    if (req.getFrom() == RaftUtil.NONE || req.getFrom() == id) {
      readStates.add(new ReadState(readIndex, req.getEntries(0).getData()));
      return;
    }
    send(
        Message.newBuilder()
            .setType(MessageType.MsgReadIndexResp)
            .setTo(req.getFrom())
            .setIndex(readIndex)
            .addAllEntries(req.getEntriesList()));
  }

  /**
   * Serves a read request once this leader has committed an entry of its term (thesis 6.4): the
   * read index is our commit index now. Under ReadOnlySafe it is answered only after a heartbeat
   * round confirms that we were still leader when the request arrived (step 3); under a lease the
   * round is skipped (thesis 6.4.1).
   */
  private void sendReadIndexResponse(Message m) {
    // A request may ask for a lease read on its own; the lease only holds with CheckQuorum, which
    // makes every node ignore votes while it hears from a leader.
    boolean lease =
        readOnly.option == ReadOnlyOption.LEASE_BASED
            || (checkQuorum && m.getContext().equals(LEASE_READ_CONTEXT));
    if (!lease) {
      ByteString ctx = readOnly.addRequest(raftLog.committed, m, id);
      bcastHeartbeatWithCtx(ctx);
    } else {
      respondToReadIndex(m, raftLog.committed);
    }
  }

  private void releasePendingReadIndexMessages() {
    if (pendingReadIndexMessages.isEmpty()) {
      return;
    }
    if (!committedEntryInCurrentTerm()) {
      logger.error("pending MsgReadIndex should be released only after first commit in current term");
      return;
    }
    List<Message> pending = pendingReadIndexMessages;
    pendingReadIndexMessages = new ArrayList<>();
    for (Message m : pending) {
      sendReadIndexResponse(m);
    }
  }

  /**
   * Records the payload of new uncommitted entries, unless it would exceed the limit. An empty
   * payload is always accepted, and so is anything while the uncommitted tail is empty. The limit
   * keeps a leader that has lost its quorum from growing its log without bound.
   */
  private boolean increaseUncommittedSize(List<Entry> ents) {
    long s = Entries.payloadSize(ents);
    if (uncommittedSize > 0
        && s > 0
        && Long.compareUnsigned(uncommittedSize + s, maxUncommittedSize) > 0) {
      return false;
    }
    uncommittedSize += s;
    return true;
  }

  private void reduceUncommittedSize(long s) {
    // The estimate can be low, never high; saturate at zero.
    uncommittedSize = s > uncommittedSize ? 0 : uncommittedSize - s;
  }

  /** Panics if two ConfStates describe different memberships; the order of IDs does not matter. */
  private void assertConfStatesEquivalent(ConfState expected, ConfState actual) {
    if (!sortedEquals(expected.getVotersList(), actual.getVotersList())
        || !sortedEquals(expected.getLearnersList(), actual.getLearnersList())
        || !sortedEquals(expected.getVotersOutgoingList(), actual.getVotersOutgoingList())
        || !sortedEquals(expected.getLearnersNextList(), actual.getLearnersNextList())
        || expected.getAutoLeave() != actual.getAutoLeave()) {
      throw logger.panic(
          "conf states differ: %s != %s", Describe.confState(expected), Describe.confState(actual));
    }
  }

  private static boolean sortedEquals(List<Long> a, List<Long> b) {
    return new java.util.TreeSet<>(a).equals(new java.util.TreeSet<>(b));
  }

  // --- conf change encoding ----------------------------------------------------------------------

  /** A MsgProp carrying one conf-change entry. */
  static Message confChangeToMsg(EntryType type, ByteString data) {
    Entry.Builder e = Entry.newBuilder().setType(type);
    if (!data.isEmpty()) {
      // An absent payload is not encoded at all, which keeps entry sizes equal to etcd's.
      e.setData(data);
    }
    return Message.newBuilder().setType(MessageType.MsgProp).addEntries(e).build();
  }

  /** The conf change in {@code e} as a V2, or null for a normal entry. */
  static ConfChangeV2 decodeConfChange(Entry e) {
    try {
      if (e.getType() == EntryType.EntryConfChange) {
        return ConfChanges.toV2(ConfChange.parseFrom(e.getData()));
      } else if (e.getType() == EntryType.EntryConfChangeV2) {
        return ConfChangeV2.parseFrom(e.getData());
      }
      return null;
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalArgumentException("malformed conf change entry: " + ex.getMessage(), ex);
    }
  }
}
