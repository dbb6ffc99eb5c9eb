package dev.raftboot;

import com.google.protobuf.ByteString;
import dev.raftboot.confchange.ConfChanges;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * A Raft node as a plain state machine: input comes in through {@link #step}, {@link #tick} and the
 * proposal methods, output comes out as {@link Ready}s.
 *
 * <p>Not thread-safe: one thread owns it (see {@link Node} for a thread-safe wrapper). It never
 * blocks, reads a clock, starts a thread or does I/O beyond reading its {@link Storage}; given the
 * same storage contents, configuration, random source and inputs it produces the same outputs.
 *
 * <p>The loop: call {@link #ready()} when {@link #hasReady()}; persist its entries, hard state and
 * snapshot; send its messages; apply its committed entries (calling {@link #applyConfChange} for
 * conf-change entries); then call {@link #advance()} (not in async-storage-writes mode).
 *
 * <p>Failures: expected outcomes are the unchecked {@link RaftException} subtypes each method
 * names (a dropped proposal may be retried). An {@link IllegalStateException} means a broken
 * invariant, such as storage that lost entries it had confirmed or a second {@code ready()}
 * without {@code advance()}; it is logged at FATAL first, and the node must not be used any more.
 * Exceptions other than the documented ones thrown by the {@link Storage} propagate unchanged and
 * are just as fatal.
 */
public final class RawNode {

  final Raft raft;
  private final boolean asyncStorageWrites;
  private SoftState prevSoftSt;
  private HardState prevHardSt;
  /** Self-addressed responses recorded at {@link #ready()}, stepped in {@link #advance()}. */
  private final List<Message> stepsOnAdvance = new ArrayList<>();

  /**
   * Creates a node from the state in {@code config.storage()}.
   *
   * @throws IllegalArgumentException if the configuration is invalid
   */
  public RawNode(Config config) {
    Config c = config.copy();
    this.raft = new Raft(c);
    this.asyncStorageWrites = c.asyncStorageWrites();
    this.prevSoftSt = raft.softState();
    this.prevHardSt = raft.hardState();
  }

  /**
   * Advances the logical clock by one tick (election and heartbeat timeouts count ticks). Call it
   * at a steady interval; how long a tick is in real time is the caller's choice.
   */
  public void tick() {
    raft.tick();
  }

  /**
   * Advances the election clock only, without the heartbeat timer: for groups known to be idle.
   * Ticking quiesced groups past an election timeout may still start an election.
   */
  public void tickQuiesced() {
    raft.electionElapsed++;
  }

  /**
   * Starts an election now (with pre-vote if configured). Ignored, with a log line, by a leader,
   * by a node that is not a voter or is installing a snapshot, and by one that has committed conf
   * changes it has not applied yet.
   */
  public void campaign() {
    raft.step(Message.newBuilder().setType(MessageType.MsgHup).build());
  }

  /**
   * Proposes {@code data} for the log. On a follower it is forwarded to the leader.
   *
   * @throws ProposalDroppedException if no leader is known, a transfer is in progress, the
   *     uncommitted-size limit is reached, forwarding is disabled, or this node is not a member
   */
  public void propose(ByteString data) {
    Entry.Builder e = Entry.newBuilder();
    if (!data.isEmpty()) {
      e.setData(data);
    }
    raft.step(
        Message.newBuilder().setType(MessageType.MsgProp).setFrom(raft.id).addEntries(e).build());
  }

  /**
   * Proposes several entries at once, in this order, in one {@code MsgProp}: the leader appends
   * them together and replicates them in the same appends, instead of one append per proposal.
   * They are accepted, forwarded or dropped as a whole.
   *
   * @throws ProposalDroppedException as {@link #propose(ByteString)}; then none was proposed
   */
  public void propose(List<ByteString> data) {
    if (data.isEmpty()) {
      return;
    }
    Message.Builder m = Message.newBuilder().setType(MessageType.MsgProp).setFrom(raft.id);
    for (int i = 0; i < data.size(); i++) {
      ByteString d = data.get(i);
      Entry.Builder e = Entry.newBuilder();
      if (!d.isEmpty()) {
        e.setData(d);
      }
      m.addEntries(e);
    }
    raft.step(m.build());
  }

  /**
   * Proposes a single-step conf change. It takes effect only when the application applies the
   * committed entry and calls {@link #applyConfChange}. A leader turns the proposal into an empty
   * entry (and logs why) while another change may be unapplied, or when it breaks the joint-config
   * rules, unless {@link Config#disableConfChangeValidation()} is set.
   *
   * @throws ProposalDroppedException as {@link #propose(ByteString)}
   */
  public void proposeConfChange(ConfChange cc) {
    raft.step(withFrom(Raft.confChangeToMsg(EntryType.EntryConfChange, cc.toByteString())));
  }

  /**
   * Proposes a conf change that may use joint consensus (more than one change, or an explicit
   * transition); an empty change leaves a joint configuration. Validation as {@link
   * #proposeConfChange(ConfChange)}.
   *
   * @throws ProposalDroppedException as {@link #propose(ByteString)}
   */
  public void proposeConfChange(ConfChangeV2 cc) {
    raft.step(withFrom(Raft.confChangeToMsg(EntryType.EntryConfChangeV2, cc.toByteString())));
  }

  private Message withFrom(Message m) {
    return m.toBuilder().setFrom(raft.id).build();
  }

  /**
   * Applies a committed conf change to the local configuration; call it for every conf-change
   * entry in committed entries, in order. To cancel a change, apply it with node id 0.
   *
   * @return the configuration now in effect, to store with snapshots
   * @throws dev.raftboot.confchange.ConfChangeException if the change is invalid for the current
   *     configuration
   */
  public ConfState applyConfChange(ConfChange cc) {
    return raft.applyConfChange(ConfChanges.toV2(cc));
  }

  /** As {@link #applyConfChange(ConfChange)}, for joint-consensus changes. */
  public ConfState applyConfChange(ConfChangeV2 cc) {
    return raft.applyConfChange(cc);
  }

  /**
   * Hands a message from another node (or a local storage thread) to the state machine.
   *
   * @throws StepLocalMessageException if a node-local message type came from outside
   * @throws StepPeerNotFoundException if a response came from an unknown node
   * @throws ProposalDroppedException if a forwarded proposal cannot be accepted
   */
  public void step(Message m) {
    if (RaftUtil.isLocalMsg(m.getType()) && !RaftUtil.isLocalTarget(m.getFrom())) {
      throw StepLocalMessageException.INSTANCE;
    }
    if (RaftUtil.isResponseMsg(m.getType())
        && !RaftUtil.isLocalTarget(m.getFrom())
        && !raft.trk.progress().containsKey(m.getFrom())) {
      throw StepPeerNotFoundException.INSTANCE;
    }
    raft.step(m);
  }

  /**
   * Takes everything that is ready. The Ready is accepted at once: the next call returns only what
   * is new, and (in the default mode) {@link #advance()} must be called before the next Ready.
   * Without {@link #hasReady()} the result may be empty.
   *
   * @throws IllegalStateException in the default mode, when an earlier Ready that needs {@code
   *     advance()} was not advanced
   */
  public Ready ready() {
    Ready rd = readyWithoutAccept();
    acceptReady(rd);
    return rd;
  }

  private Ready readyWithoutAccept() {
    Raft r = raft;
    SoftState softSt = r.softState();
    HardState hardSt = r.hardState();
    List<Entry> entries = List.copyOf(r.raftLog.nextUnstableEnts());
    List<Entry> committed = r.raftLog.nextCommittedEnts(applyUnstableEntries());
    Snapshot snap = r.raftLog.hasNextUnstableSnapshot() ? r.raftLog.nextUnstableSnapshot()
        : Snapshot.getDefaultInstance();
    HardState rdHard = hardSt.equals(prevHardSt) ? HardState.getDefaultInstance() : hardSt;
    List<ReadState> readStates = r.readStates.isEmpty() ? List.of() : List.copyOf(r.readStates);
    boolean mustSync = mustSync(hardSt, prevHardSt, entries.size());

    List<Message> messages = new ArrayList<>(r.msgs);
    if (asyncStorageWrites) {
      boolean needAppend =
          !entries.isEmpty()
              || !RaftUtil.isEmptyHardState(rdHard)
              || !RaftUtil.isEmptySnap(snap)
              || !r.msgsAfterAppend.isEmpty();
      if (needAppend) {
        messages.add(newStorageAppendMsg(entries, rdHard, snap));
      }
      if (!committed.isEmpty()) {
        messages.add(
            Message.newBuilder()
                .setType(MessageType.MsgStorageApply)
                .setTo(RaftUtil.LOCAL_APPLY_THREAD)
                .setFrom(r.id)
                .addAllEntries(committed)
                .addResponses(newStorageApplyRespMsg(committed))
                .build());
      }
    } else {
      // Sent with the Ready: the contract says they go out only after the write.
      for (Message m : r.msgsAfterAppend) {
        if (m.getTo() != r.id) {
          messages.add(m);
        }
      }
    }
    return new Ready(
        softSt.equals(prevSoftSt) ? null : softSt,
        rdHard,
        readStates,
        entries,
        snap,
        committed,
        List.copyOf(messages),
        mustSync);
  }

  /** Whether a write must be synced: new entries, or a changed term or vote. */
  static boolean mustSync(HardState st, HardState prev, int entries) {
    return entries != 0 || st.getVote() != prev.getVote() || st.getTerm() != prev.getTerm();
  }

  private Message newStorageAppendMsg(List<Entry> entries, HardState hs, Snapshot snap) {
    Message.Builder m =
        Message.newBuilder()
            .setType(MessageType.MsgStorageAppend)
            .setTo(RaftUtil.LOCAL_APPEND_THREAD)
            .setFrom(raft.id)
            .addAllEntries(entries);
    if (!RaftUtil.isEmptyHardState(hs)) {
      // Carry the hard state only when it changed, so an unchanged one reads back as empty.
      m.setTerm(hs.getTerm()).setVote(hs.getVote()).setCommit(hs.getCommit());
    }
    if (!RaftUtil.isEmptySnap(snap)) {
      m.setSnapshot(snap);
    }
    // Acks and votes go out only once this write is durable; the final response reports it back
    // to us. Self-addressed acks come first so the leader counts them before the entries leave
    // the unstable log.
    m.addAllResponses(raft.msgsAfterAppend);
    if (needStorageAppendRespMsg(snap)) {
      m.addResponses(newStorageAppendRespMsg(snap));
    }
    return m.build();
  }

  private boolean needStorageAppendRespMsg(Snapshot snap) {
    // Checks the whole unstable tail, not only this Ready's entries: an earlier write that is
    // still in flight must be confirmed by a response that is ordered after this one.
    return raft.raftLog.hasNextOrInProgressUnstableEnts() || !RaftUtil.isEmptySnap(snap);
  }

  private Message newStorageAppendRespMsg(Snapshot snap) {
    Message.Builder m =
        Message.newBuilder()
            .setType(MessageType.MsgStorageAppendResp)
            .setTo(raft.id)
            .setFrom(RaftUtil.LOCAL_APPEND_THREAD)
            // A response from an older term is not trusted for entries (they may have been
            // replaced since), only for the snapshot.
            .setTerm(raft.term);
    if (raft.raftLog.hasNextOrInProgressUnstableEnts()) {
      EntryId last = raft.raftLog.lastEntryId();
      m.setIndex(last.index()).setLogTerm(last.term());
    }
    if (!RaftUtil.isEmptySnap(snap)) {
      m.setSnapshot(snap);
    }
    return m.build();
  }

  private Message newStorageApplyRespMsg(List<Entry> ents) {
    return Message.newBuilder()
        .setType(MessageType.MsgStorageApplyResp)
        .setTo(raft.id)
        .setFrom(RaftUtil.LOCAL_APPLY_THREAD)
        .addAllEntries(ents)
        .build();
  }

  private void acceptReady(Ready rd) {
    if (rd.softState() != null) {
      prevSoftSt = rd.softState();
    }
    if (rd.hasHardState()) {
      prevHardSt = rd.hardState();
    }
    if (!rd.readStates().isEmpty()) {
      raft.readStates = new ArrayList<>();
    }
    if (!asyncStorageWrites) {
      if (!stepsOnAdvance.isEmpty()) {
        throw raft.logger.panic("two accepted Ready structs without call to Advance");
      }
      for (Message m : raft.msgsAfterAppend) {
        if (m.getTo() == raft.id) {
          stepsOnAdvance.add(m);
        }
      }
      if (needStorageAppendRespMsg(rd.snapshot())) {
        stepsOnAdvance.add(newStorageAppendRespMsg(rd.snapshot()));
      }
      if (!rd.committedEntries().isEmpty()) {
        stepsOnAdvance.add(newStorageApplyRespMsg(rd.committedEntries()));
      }
    }
    raft.msgs = new ArrayList<>();
    raft.msgsAfterAppend = new ArrayList<>();
    raft.raftLog.acceptUnstable();
    if (!rd.committedEntries().isEmpty()) {
      List<Entry> ents = rd.committedEntries();
      long index = ents.get(ents.size() - 1).getIndex();
      raft.raftLog.acceptApplying(index, Entries.size(ents), applyUnstableEntries());
    }
  }

  /** In the default mode entries may be applied before they are durable locally. */
  private boolean applyUnstableEntries() {
    return !asyncStorageWrites;
  }

  /** Whether {@link #ready()} would return anything. Cheap, and changes nothing. */
  public boolean hasReady() {
    Raft r = raft;
    if (!r.softState().equals(prevSoftSt)) {
      return true;
    }
    HardState hs = r.hardState();
    if (!RaftUtil.isEmptyHardState(hs) && !hs.equals(prevHardSt)) {
      return true;
    }
    if (r.raftLog.hasNextUnstableSnapshot()) {
      return true;
    }
    if (!r.msgs.isEmpty() || !r.msgsAfterAppend.isEmpty()) {
      return true;
    }
    if (r.raftLog.hasNextUnstableEnts() || r.raftLog.hasNextCommittedEnts(applyUnstableEntries())) {
      return true;
    }
    return !r.readStates.isEmpty();
  }

  /**
   * Tells the node that the last Ready was persisted and applied. Only now does it count its own
   * acknowledgements and vote from that Ready, mark its entries stable and its committed entries
   * applied.
   *
   * @throws IllegalStateException in async-storage-writes mode, where storage threads answer with
   *     messages instead
   */
  public void advance() {
    if (asyncStorageWrites) {
      throw raft.logger.panic("Advance must not be called when using AsyncStorageWrites");
    }
    // Copy first: stepping may not add to the list, but the list must be empty afterwards.
    List<Message> steps = new ArrayList<>(stepsOnAdvance);
    stepsOnAdvance.clear();
    for (Message m : steps) {
      try {
        raft.step(m);
      } catch (ProposalDroppedException e) {
        // Self-addressed responses never propose; nothing to report.
      }
    }
  }

  /** The full status: copies of the configuration and, on a leader, of each member's progress. */
  public Status status() {
    BasicStatus basic = basicStatus();
    return new Status(
        basic,
        raft.trk.config().copy(),
        raft.state == StateType.LEADER ? raft.trk.progress().copy() : null);
  }

  /** The status without configuration and progress: cheap enough to take on every loop. */
  public BasicStatus basicStatus() {
    return new BasicStatus(
        raft.id, raft.hardState(), raft.softState(), raft.raftLog.applied, raft.leadTransferee);
  }

  /**
   * Tells the leader that the last message to {@code id} could not be delivered; it stops
   * streaming appends to that peer and probes it instead. Ignored on other roles.
   */
  public void reportUnreachable(long id) {
    raft.step(Message.newBuilder().setType(MessageType.MsgUnreachable).setFrom(id).build());
  }

  /**
   * Tells the leader how sending a snapshot to {@code id} ended. Until this is called (or the
   * follower's response shows it caught up) the leader sends that peer nothing but heartbeats;
   * then it resumes appends, after the snapshot on success and after the last known match on
   * failure.
   */
  public void reportSnapshot(long id, SnapshotStatus status) {
    raft.step(
        Message.newBuilder()
            .setType(MessageType.MsgSnapStatus)
            .setFrom(id)
            .setReject(status == SnapshotStatus.FAILURE)
            .build());
  }

  /**
   * Asks the leader to hand leadership to {@code transferee}; forwarded from followers. The leader
   * drops proposals while the transfer is in progress and gives up after an election timeout;
   * {@link #status()} shows the outcome. Ignored for a learner, or when no leader is known.
   */
  public void transferLeader(long transferee) {
    raft.step(Message.newBuilder().setType(MessageType.MsgTransferLeader).setFrom(transferee).build());
  }

  /**
   * Forgets the current leader (followers only), so that this node grants votes at once, e.g. when
   * the application knows the leader is gone. Refused under lease-based reads.
   */
  public void forgetLeader() {
    raft.step(Message.newBuilder().setType(MessageType.MsgForgetLeader).build());
  }

  /**
   * Requests a read index; the answer arrives as a {@link ReadState} with the same {@code rctx} in a
   * later Ready. Reads at that index are linearizable once it is applied. Dropped silently when no
   * leader is known (retry later).
   */
  public void readIndex(ByteString rctx) {
    raft.step(readIndexMsg(rctx).build());
  }

  /**
   * As {@link #readIndex(ByteString)}, choosing the read option for this request only: {@link
   * ReadOnlyOption#LEASE_BASED} answers from the leader's lease without a heartbeat round when
   * CheckQuorum is enabled (and falls back to the configured option otherwise).
   */
  public void readIndex(ByteString rctx, ReadOnlyOption option) {
    Message.Builder m = readIndexMsg(rctx);
    if (option == ReadOnlyOption.LEASE_BASED) {
      m.setContext(Raft.LEASE_READ_CONTEXT);
    }
    raft.step(m.build());
  }

  private static Message.Builder readIndexMsg(ByteString rctx) {
    Entry.Builder e = Entry.newBuilder();
    if (!rctx.isEmpty()) {
      e.setData(rctx);
    }
    return Message.newBuilder().setType(MessageType.MsgReadIndex).addEntries(e);
  }

  /**
   * Seeds empty storage with the initial configuration: one committed conf-change entry per peer.
   * Use on a node started for a new cluster.
   *
   * @throws IllegalArgumentException if {@code peers} is empty or storage is not empty
   */
  public void bootstrap(List<Peer> peers) {
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("must provide at least one peer to Bootstrap");
    }
    if (raft.raftLog.storage.lastIndex() != 0) {
      throw new IllegalArgumentException("can't bootstrap a nonempty Storage");
    }
    // Nothing is persisted yet: the first Ready must carry the hard state.
    prevHardSt = HardState.getDefaultInstance();
    raft.becomeFollower(1, RaftUtil.NONE);
    List<Entry> ents = new ArrayList<>(peers.size());
    for (int i = 0; i < peers.size(); i++) {
      Peer p = peers.get(i);
      ConfChange cc =
          ConfChange.newBuilder()
              .setType(ConfChangeType.ConfChangeAddNode)
              .setNodeId(p.id())
              .setContext(p.context())
              .build();
      ents.add(
          Entry.newBuilder()
              .setType(EntryType.EntryConfChange)
              .setTerm(1)
              .setIndex(i + 1)
              .setData(cc.toByteString())
              .build());
    }
    raft.raftLog.append(ents);
    // Apply the configuration now so that the node can campaign at once. The application sees
    // the same entries again in committed entries and applies them a second time, harmlessly.
    raft.raftLog.committed = ents.size();
    for (Peer p : peers) {
      raft.applyConfChange(
          ConfChanges.toV2(
              ConfChange.newBuilder()
                  .setType(ConfChangeType.ConfChangeAddNode)
                  .setNodeId(p.id())
                  .build()));
    }
  }

  /** Test hook: overrides the current randomized election timeout until the next reset. */
  void setRandomizedElectionTimeout(int ticks) {
    raft.randomizedElectionTimeout = ticks;
  }
}
