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
  long term;
  long vote;
  List<ReadState> readStates = new ArrayList<>();
  final RaftLog raftLog;
  final long maxMsgSize;
  final long maxUncommittedSize;
  ProgressTracker trk;
  StateType state;
  boolean isLearner;
  /** Messages to send now. */
  List<Message> msgs = new ArrayList<>();
  /**
   * Messages that may only be sent once the entries and state of the current Ready are durable:
   * append acknowledgements and votes (thesis 10.2.1 lets the leader send its appends earlier).
   */
  List<Message> msgsAfterAppend = new ArrayList<>();
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
  // CheckQuorum round (leaders).
  int electionElapsed;
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
    Changer.Result restored = Restore.restore(new Changer(trk, last.index()), is.confState());
    assertConfStatesEquivalent(is.confState(), switchToConfig(restored.config(), restored.progress()));

    if (!RaftUtil.isEmptyHardState(is.hardState())) {
      loadState(is.hardState());
    }
    if (c.applied() > 0) {
      raftLog.appliedTo(c.applied(), 0);
    }
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

  /** Stamps {@code from} and the term where the protocol wants them, then queues the message. */
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
      // These promise that our log or vote is durable, so they wait for the write.
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
    if (pr.isPaused()) {
      return false;
    }
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
    pr.becomeSnapshot(sindex);
    logger.debug("%x paused sending replication messages to %x [%s]", id, to, pr);
    send(Message.newBuilder().setTo(to).setType(MessageType.MsgSnap).setSnapshot(snapshot));
    return true;
  }

  void sendHeartbeat(long to, ByteString ctx) {
    Progress pr = trk.progress().get(to);
    // Never move a follower's commit past what it is known to have: it may lack those entries.
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

  void appliedTo(long index, long size) {
    long newApplied = Math.max(index, raftLog.applied);
    raftLog.appliedTo(newApplied, size);
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

  void appliedSnap(Snapshot snap) {
    long index = snap.getMetadata().getIndex();
    raftLog.stableSnapTo(index);
    appliedTo(index, 0);
  }

  /** Advances the commit index to what a quorum has; leader only. */
  boolean maybeCommit() {
    return raftLog.maybeCommit(new EntryId(term, trk.committed()));
  }

  // --- role changes ------------------------------------------------------------------------------

  void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = RaftUtil.NONE;
    }
    lead = RaftUtil.NONE;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    resetRandomizedElectionTimeout();
    abortLeaderTransfer();
    trk.resetVotes();
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
    uncommittedSize = 0;
    readOnly = new ReadOnly(readOnly.option);
  }

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

  void tick() {
    if (state == StateType.LEADER) {
      tickHeartbeat();
    } else {
      tickElection();
    }
  }

  private void tickElection() {
    electionElapsed++;
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
        step(Message.newBuilder().setFrom(id).setType(MessageType.MsgCheckQuorum).build());
      }
      // A transfer that did not finish within an election timeout is abandoned.
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

  void becomeFollower(long newTerm, long newLead) {
    reset(newTerm);
    lead = newLead;
    state = StateType.FOLLOWER;
    logger.info("%x became follower at term %d", id, term);
  }

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

  void becomeLeader() {
    if (state == StateType.FOLLOWER) {
      throw new IllegalStateException("invalid transition [follower -> leader]");
    }
    reset(term);
    lead = id;
    state = StateType.LEADER;
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

  private void hup(CampaignType t) {
    if (state == StateType.LEADER) {
      logger.debug("%x ignoring MsgHup because already leader", id);
      return;
    }
    if (!promotable()) {
      logger.warn("%x is unpromotable and can not campaign", id);
      return;
    }
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
        // Our own vote counts once it is durable, like any other.
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
        if (m.getIndex() != 0) {
          raftLog.stableTo(new EntryId(m.getLogTerm(), m.getIndex()));
        }
        if (m.hasSnapshot()) {
          appliedSnap(m.getSnapshot());
        }
        break;
      case MsgStorageApplyResp:
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

  private void stepVoteRequest(Message m) {
    // We may vote for a repeat of our vote, when we have not voted and know no leader, or for a
    // pre-vote of a future term...
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

  private void stepLeader(Message m) {
    switch (m.getType()) {
      case MsgBeat:
        bcastHeartbeat();
        return;
      case MsgCheckQuorum:
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
        return;
      default:
        break;
    }

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

  private void stepLeaderProposal(Message m) {
    if (m.getEntriesCount() == 0) {
      throw logger.panic("%x stepped empty MsgProp", id);
    }
    if (!trk.progress().containsKey(id)) {
      // We were removed from the configuration while leading; take no new work.
      throw ProposalDroppedException.INSTANCE;
    }
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
      if (pr.maybeDecrTo(m.getIndex(), nextProbeIdx)) {
        logger.debug("%x decreased progress of %x to [%s]", id, m.getFrom(), pr);
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

    if (maybeCommit()) {
      // A commit in our term makes pending reads safe to answer.
      releasePendingReadIndexMessages();
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
    if (m.getFrom() == leadTransferee && pr.match() == raftLog.lastIndex()) {
      logger.info("%x sent MsgTimeoutNow to %x after received MsgAppResp", id, m.getFrom());
      sendTimeoutNow(m.getFrom());
    }
  }

  private void stepLeaderTransfer(Message m, Progress pr) {
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
      // A leader exists in our term (m.term == term here).
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
          campaign(CampaignType.ELECTION);
        } else {
          becomeLeader();
          bcastAppend();
        }
      } else if (r.result() == VoteResult.LOST) {
        // A pre-vote rejection may carry a newer term; we keep ours.
        becomeFollower(term, RaftUtil.NONE);
      }
    } else if (t == MessageType.MsgTimeoutNow) {
      logger.debug("%x [term %d state %s] ignored MsgTimeoutNow from %x", id, term, state, m.getFrom());
    }
  }

  private void stepFollower(Message m) {
    switch (m.getType()) {
      case MsgProp:
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
        // The old leader asked for this, so there is no partition to guard against: no pre-vote.
        hup(CampaignType.TRANSFER);
        break;
      case MsgReadIndex:
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

  private void handleAppendEntries(Message m) {
    if (m.getIndex() < raftLog.committed) {
      // Everything up to our commit index already matches the leader's log.
      send(
          Message.newBuilder()
              .setTo(m.getFrom())
              .setType(MessageType.MsgAppResp)
              .setIndex(raftLog.committed));
      return;
    }
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
    raftLog.commitTo(m.getCommit());
    send(
        Message.newBuilder()
            .setTo(m.getFrom())
            .setType(MessageType.MsgHeartbeatResp)
            .setContext(m.getContext()));
  }

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
      // We already have the snapshot's last entry, hence everything before it: just commit.
      EntryId last = raftLog.lastEntryId();
      logger.info(
          "%x [commit: %d, lastindex: %d, lastterm: %d] fast-forwarded commit to snapshot "
              + "[index: %d, term: %d]",
          id, raftLog.committed, last.index(), last.term(), sindex, sterm);
      raftLog.commitTo(sindex);
      return false;
    }
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
    if (leadTransferee != RaftUtil.NONE && !trk.config().voters().ids().contains(leadTransferee)) {
      abortLeaderTransfer();
    }
    return cs;
  }

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

  void resetRandomizedElectionTimeout() {
    randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
  }

  void sendTimeoutNow(long to) {
    send(Message.newBuilder().setTo(to).setType(MessageType.MsgTimeoutNow));
  }

  void abortLeaderTransfer() {
    leadTransferee = RaftUtil.NONE;
  }

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
   * payload is always accepted, and so is anything while the uncommitted tail is empty.
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
