package dev.raftboot;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.datadriven.TestData;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A scripted cluster of {@link RawNode}s in one process, driven by data-driven test files in the
 * format of etcd raft's interaction tests: every command manipulates the cluster and prints what
 * happened (Ready contents, delivered messages and the nodes' own log lines) so that a script can
 * state the exact expected text.
 *
 * <p>The environment holds an ordered list of nodes (node {@code i} has ID {@code i+1}), one FIFO
 * of messages in flight between nodes, and the output buffer, which doubles as every node's
 * logger. A node's storage is a {@link MemoryStorage} whose snapshot is replaced by the node's
 * latest applied state (see {@link InteractionNode}).
 *
 * <h2>Commands</h2>
 *
 * <p>{@code <id>} is a 1-based node ID given as a bare argument.
 *
 * <ul>
 *   <li>{@code add-nodes <n> [voters=(ids)] [learners=(ids)] [index=<i>] [content=<s>]
 *       [inflight=<n>] [async-storage-writes=<b>] [prevote=<b>] [checkquorum=<b>]
 *       [max-committed-size-per-ready=<n>] [disable-conf-change-validation=<b>]
 *       [read-only=safe|lease-based] [step-down-on-removal=<b>]} — adds {@code n} nodes, bootstrapped
 *       from a snapshot at {@code index} (term 1) if any snapshot option is given. Other keys are
 *       ignored, as upstream does.
 *   <li>{@code campaign <id>}, {@code forget-leader <id>}, {@code tick-election <id>} (ElectionTick
 *       = 3 ticks), {@code tick-heartbeat <id>} (HeartbeatTick = 1 tick), {@code propose <id>
 *       <data>}, {@code propose-conf-change <id> [v1=<b>] [transition=auto|implicit|explicit]} with
 *       the changes ({@code v1 l2 r3 u4}) as input, {@code transfer-leadership from=<id> to=<id>},
 *       {@code report-unreachable <id> <id>}, {@code set-randomized-election-timeout <id>
 *       timeout=<n>}.
 *   <li>{@code process-ready <id>...}, {@code process-append-thread <id>...}, {@code
 *       process-apply-thread <id>...}, {@code deliver-msgs [<id>...] [drop=(ids)]
 *       [type=<MsgType>]}, {@code stabilize [<id>...] [log-level=<level>]}, {@code send-snapshot
 *       <from> <to>}.
 *   <li>{@code raft-log <id>}, {@code compact <id> <index>}, {@code raft-state}, {@code status
 *       <id>}, {@code log-level <DEBUG|INFO|WARN|ERROR|FATAL|NONE>}, {@code _breakpoint}.
 * </ul>
 *
 * <h2>Our additions</h2>
 *
 * <p>Upstream's harness (etcd raft v3.7) has none of these; they exist for our own scenario
 * files under {@code src/test/resources/scenarios} ({@link OwnScenarioTest}) and are never used by
 * the upstream scripts.
 *
 * <ul>
 *   <li>{@code add-nodes} options, each setting the {@link Config} field of the same name on every
 *       node the command adds (nodes with different settings come from separate {@code add-nodes}
 *       calls naming the same {@code voters}):
 *       <ul>
 *         <li>{@code disable-proposal-forwarding=<bool>}: {@code DisableProposalForwarding}; a
 *             follower drops proposals ({@code not forwarding to leader}, error {@code raft
 *             proposal dropped}) instead of forwarding them.
 *         <li>{@code max-uncommitted-size=<u64>}: {@code MaxUncommittedEntriesSize}, the payload
 *             bytes the leader's uncommitted tail may hold (0 = unlimited).
 *         <li>{@code max-size-per-msg=<u64>}: {@code MaxSizePerMsg} (default here: unlimited).
 *         <li>{@code max-inflight-bytes=<u64>}: {@code MaxInflightBytes} (0 = unlimited). It must
 *             be at least {@code max-size-per-msg}, so set both.
 *       </ul>
 *       A configuration that fails validation is reported as the error text of {@code add-nodes}.
 *   <li>{@code read-index <id> <ctx>}: {@link RawNode#readIndex} on the node, with the raw second
 *       token (quotes included, as for {@code propose}) as the request context. Prints the log
 *       lines it causes (for instance {@code no leader at term N; dropping index reading msg}), or
 *       {@code ok}. The answer shows up later as a {@code ReadStates [{<index> [<ctx bytes in
 *       decimal>]}]} line of the node's Ready: on the leader after a quorum acknowledged a
 *       heartbeat round (ReadOnlySafe) or at once (ReadOnlyLeaseBased); on a follower once the
 *       leader's {@code MsgReadIndexResp} is delivered.
 * </ul>
 *
 * <p>Output of one command: whatever it printed, then the text of the error it returned if any
 * (without newline); {@code ok} if nothing was printed. At log level {@code NONE} only an error's
 * text is returned.
 */
final class InteractionEnv {

  final List<InteractionNode> nodes = new ArrayList<>();
  /** Messages in flight between nodes, in the order they were emitted. */
  final List<Message> messages = new ArrayList<>();

  final RedirectLogger output = new RedirectLogger();

  /** Runs one directive and returns its output, as etcd's {@code InteractionEnv.Handle} does. */
  String handle(TestData d) {
    output.reset();
    String err = null;
    try {
      InteractionCommands.dispatch(this, d);
    } catch (InteractionError | RaftException e) {
      err = e.getMessage();
    }
    if (err != null) {
      if (output.quiet()) {
        return err;
      }
      output.write(err);
    }
    if (output.length() == 0) {
      return "ok";
    }
    return output.contents();
  }

  // ---------------------------------------------------------------------------------------------
  // output helpers

  /**
   * Runs {@code body} with its output (log lines included) captured, then re-emits the captured
   * text with every line indented by two spaces. The captured text is emitted even if {@code body}
   * throws.
   */
  void withIndent(Runnable body) {
    StringBuilder orig = output.swap(new StringBuilder());
    try {
      body.run();
    } finally {
      String inner = output.swap(orig).toString();
      for (String line : lines(inner)) {
        orig.append("  ").append(line).append('\n');
      }
    }
  }

  /** Splits text at newlines; a final newline ends the last line, a trailing '\r' is dropped. */
  private static List<String> lines(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < s.length()) {
      int nl = s.indexOf('\n', start);
      int end = nl < 0 ? s.length() : nl;
      String line = s.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      out.add(line);
      start = nl < 0 ? s.length() : nl + 1;
    }
    return out;
  }

  InteractionNode node(int idx) {
    if (idx < 0 || idx >= nodes.size()) {
      throw new AssertionError("no node with id " + (idx + 1) + " (have " + nodes.size() + ")");
    }
    return nodes.get(idx);
  }

  // ---------------------------------------------------------------------------------------------
  // node lifecycle

  /** The configuration every node starts from, before per-command options. */
  static Config configStub() {
    return new Config()
        .electionTick(3)
        .heartbeatTick(1)
        .maxSizePerMsg(RaftUtil.NO_LIMIT)
        .maxInflightMsgs(Integer.MAX_VALUE);
  }

  /**
   * Adds {@code n} nodes with the given configuration. If {@code bootstrap}, each node's storage
   * first applies {@code snap} (whose index must exceed 1), with term 1.
   */
  void addNodes(int n, Config template, Snapshot snap, boolean bootstrap) {
    if (bootstrap) {
      if (Long.compareUnsigned(snap.getMetadata().getIndex(), 1) <= 0) {
        throw new InteractionError("index must be specified as > 1 due to bootstrap");
      }
      snap =
          snap.toBuilder()
              .setMetadata(snap.getMetadata().toBuilder().setTerm(1))
              .build();
    }
    for (int i = 0; i < n; i++) {
      long id = nodes.size() + 1;
      MemoryStorage memory = new MemoryStorage();
      List<Snapshot> history = InteractionNode.newHistory(snap);
      Storage storage = new InteractionNode.HistoryStorage(memory, history);
      if (bootstrap) {
        memory.applySnapshot(snap);
        long fi = memory.firstIndex();
        long want = snap.getMetadata().getIndex() + 1;
        if (fi != want) {
          throw new InteractionError(
              "failed to establish first index " + Long.toUnsignedString(want) + "; got "
                  + Long.toUnsignedString(fi));
        }
      }
      Config cfg =
          template
              .copy()
              .id(id)
              .storage(storage)
              .logger(output)
              .random(new SplittableRandom(id));
      RawNode rn;
      try {
        rn = new RawNode(cfg);
      } catch (IllegalArgumentException e) {
        throw new InteractionError(String.valueOf(e.getMessage()));
      }
      nodes.add(new InteractionNode(rn, memory, storage, cfg, history));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ready handling

  /**
   * Takes a Ready from the node and prints it. In synchronous mode, then persists and applies it,
   * queues its messages and advances the node; in async mode, queues the local storage work on the
   * node's append/apply queues and everything else on the network.
   */
  void processReady(int idx) {
    InteractionNode n = node(idx);
    Ready rd = n.rawNode.ready();
    output.write(Describe.ready(rd));
    boolean async = n.config.asyncStorageWrites();
    if (!async) {
      processAppend(n, rd.hardState(), rd.entries(), rd.snapshot());
      processApply(n, rd.committedEntries());
    }
    for (Message m : rd.messages()) {
      if (RaftUtil.isLocalTarget(m.getTo())) {
        if (!async) {
          throw new IllegalStateException("unexpected local message target: " + Describe.message(m));
        }
        if (m.getType() == MessageType.MsgStorageAppend) {
          n.appendWork.addLast(m);
        } else if (m.getType() == MessageType.MsgStorageApply) {
          n.applyWork.addLast(m);
        } else {
          throw new IllegalStateException("unexpected local message: " + Describe.message(m));
        }
      } else {
        messages.add(m);
      }
    }
    if (!async) {
      n.rawNode.advance();
    }
  }

  /** Persists a hard state, then either a snapshot or entries, into the node's storage. */
  private static void processAppend(
      InteractionNode n, HardState hs, List<Entry> entries, Snapshot snap) {
    if (hs != null && !RaftUtil.isEmptyHardState(hs)) {
      n.memory.setHardState(hs);
    }
    if (snap != null && !RaftUtil.isEmptySnap(snap)) {
      if (!entries.isEmpty()) {
        throw new InteractionError("can't apply snapshot and entries at the same time");
      }
      n.memory.applySnapshot(snap);
      return;
    }
    n.memory.append(entries);
  }

  /**
   * Applies committed entries: conf changes go to the node, and the state machine (which simply
   * concatenates payloads) records its new state in the node's history.
   */
  private static void processApply(InteractionNode n, List<Entry> entries) {
    for (Entry e : entries) {
      ByteString update;
      ConfState cs = null;
      try {
        switch (e.getType()) {
          case EntryConfChange:
            {
              ConfChange cc = ConfChange.parseFrom(e.getData());
              update = cc.getContext();
              cs = n.rawNode.applyConfChange(cc);
              break;
            }
          case EntryConfChangeV2:
            {
              ConfChangeV2 cc = ConfChangeV2.parseFrom(e.getData());
              update = cc.getContext();
              cs = n.rawNode.applyConfChange(cc);
              break;
            }
          default:
            update = e.getData();
            break;
        }
      } catch (InvalidProtocolBufferException ex) {
        throw new InteractionError(String.valueOf(ex.getMessage()));
      }
      Snapshot last = n.lastSnapshot();
      if (cs == null) {
        cs = last.getMetadata().getConfState();
      }
      Snapshot next =
          Snapshot.newBuilder()
              .setData(last.getData().concat(update))
              .setMetadata(
                  SnapshotMetadata.newBuilder()
                      .setIndex(e.getIndex())
                      .setTerm(e.getTerm())
                      .setConfState(cs))
              .build();
      n.history.add(next);
    }
  }

  /** Handles one {@code MsgStorageAppend} of the node's append queue. */
  void processAppendThread(int idx) {
    InteractionNode n = node(idx);
    Message m = n.appendWork.pollFirst();
    if (m == null) {
      output.write("no append work to perform");
      return;
    }
    List<Message> responses = m.getResponsesList();
    m = m.toBuilder().clearResponses().build();
    output.write("Processing:\n");
    output.write(Describe.message(m) + "\n");
    HardState hs =
        HardState.newBuilder()
            .setTerm(m.getTerm())
            .setVote(m.getVote())
            .setCommit(m.getCommit())
            .build();
    Snapshot snap = m.hasSnapshot() ? m.getSnapshot() : Snapshot.getDefaultInstance();
    processAppend(n, hs, m.getEntriesList(), snap);
    output.write("Responses:\n");
    for (Message r : responses) {
      output.write(Describe.message(r) + "\n");
    }
    messages.addAll(responses);
  }

  /** Handles one {@code MsgStorageApply} of the node's apply queue. */
  void processApplyThread(int idx) {
    InteractionNode n = node(idx);
    Message m = n.applyWork.pollFirst();
    if (m == null) {
      output.write("no apply work to perform");
      return;
    }
    List<Message> responses = m.getResponsesList();
    m = m.toBuilder().clearResponses().build();
    output.write("Processing:\n");
    output.write(Describe.message(m) + "\n");
    processApply(n, m.getEntriesList());
    output.write("Responses:\n");
    for (Message r : responses) {
      output.write(Describe.message(r) + "\n");
    }
    messages.addAll(responses);
  }

  // ---------------------------------------------------------------------------------------------
  // message delivery

  /** A recipient of {@link #deliverMsgs}: deliver to it, or drop what is addressed to it. */
  record Recipient(long id, boolean drop) {}

  /** Whether a message never crosses the network: self-addressed or to/from a storage thread. */
  private static boolean isLocalMsgTarget(Message m) {
    return m.getFrom() == m.getTo()
        || RaftUtil.isLocalTarget(m.getFrom())
        || RaftUtil.isLocalTarget(m.getTo());
  }

  /**
   * Takes out of the queue, in order, the messages addressed to {@code to} (of type {@code type},
   * or any type if null); when dropping, local messages stay queued.
   */
  List<Message> takeMessages(long to, MessageType type, boolean drop) {
    List<Message> taken = new ArrayList<>();
    for (Iterator<Message> it = messages.iterator(); it.hasNext(); ) {
      Message m = it.next();
      if (m.getTo() == to
          && !(drop && isLocalMsgTarget(m))
          && (type == null || m.getType() == type)) {
        taken.add(m);
        it.remove();
      }
    }
    return taken;
  }

  /**
   * For each recipient in turn, delivers (steps) or drops the queued messages addressed to it,
   * printing each one and any error of the step. Returns the number of messages handled.
   */
  int deliverMsgs(MessageType type, List<Recipient> recipients) {
    int count = 0;
    for (Recipient r : recipients) {
      List<Message> msgs = takeMessages(r.id(), type, r.drop());
      count += msgs.size();
      for (Message m : msgs) {
        if (r.drop()) {
          output.write("dropped: " + Describe.message(m) + "\n");
          continue;
        }
        output.write(Describe.message(m) + "\n");
        InteractionNode to = node((int) (m.getTo() - 1));
        try {
          to.rawNode.step(m);
        } catch (RaftException e) {
          output.write(e.getMessage() + "\n");
        }
      }
    }
    return count;
  }

  // ---------------------------------------------------------------------------------------------
  // stabilize

  /**
   * Runs the listed nodes (all, if none) until nothing is left to do: Ready handling, message
   * delivery, append-thread work and apply-thread work, in rounds, each step under a header with
   * its output indented.
   */
  void stabilize(List<Integer> idxs) {
    List<InteractionNode> set = new ArrayList<>();
    if (idxs.isEmpty()) {
      set.addAll(nodes);
    } else {
      for (int idx : idxs) {
        set.add(node(idx));
      }
    }
    while (true) {
      boolean done = true;
      for (InteractionNode n : set) {
        if (n.rawNode.hasReady()) {
          done = false;
          int idx = (int) (n.id() - 1);
          output.write("> " + n.id() + " handling Ready\n");
          withIndent(() -> processReady(idx));
        }
      }
      for (InteractionNode n : set) {
        long id = n.id();
        if (messages.stream().anyMatch(m -> m.getTo() == id)) {
          done = false;
          output.write("> " + id + " receiving messages\n");
          withIndent(() -> deliverMsgs(null, List.of(new Recipient(id, false))));
        }
      }
      for (InteractionNode n : set) {
        if (!n.appendWork.isEmpty()) {
          done = false;
          int idx = (int) (n.id() - 1);
          output.write("> " + n.id() + " processing append thread\n");
          while (!n.appendWork.isEmpty()) {
            withIndent(() -> processAppendThread(idx));
          }
        }
      }
      for (InteractionNode n : set) {
        if (!n.applyWork.isEmpty()) {
          done = false;
          int idx = (int) (n.id() - 1);
          output.write("> " + n.id() + " processing apply thread\n");
          while (!n.applyWork.isEmpty()) {
            try {
              withIndent(() -> processApplyThread(idx));
            } catch (InteractionError | RaftException ignored) {
              // as upstream: an apply error does not stop the stabilization
            }
          }
        }
      }
      if (done) {
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // inspection

  /** Prints the node's stable log (storage, not the unstable tail). */
  void raftLog(int idx) {
    Storage s = node(idx).storage;
    long fi = s.firstIndex();
    long li = s.lastIndex();
    if (Long.compareUnsigned(li, fi) < 0) {
      output.write(
          "log is empty: first index="
              + Long.toUnsignedString(fi)
              + ", last index="
              + Long.toUnsignedString(li));
      return;
    }
    output.write(Describe.entries(s.entries(fi, li + 1, RaftUtil.NO_LIMIT)));
  }

  /** One line per node: ID, role, whether it is a voter in its own configuration, term, leader. */
  void raftState() {
    for (InteractionNode n : nodes) {
      Status st = n.rawNode.status();
      BasicStatus b = st.basic();
      String voter = st.config().voters().ids().contains(b.id()) ? "(Voter)" : "(Non-Voter)";
      output.write(
          Long.toUnsignedString(b.id())
              + ": "
              + b.softState().raftState()
              + " "
              + voter
              + " Term:"
              + Long.toUnsignedString(b.hardState().getTerm())
              + " Lead:"
              + Long.toUnsignedString(b.softState().lead())
              + "\n");
    }
  }

  /** The progress of every peer, if the node is the leader. */
  void status(int idx) {
    Status st = node(idx).rawNode.status();
    if (st.progress() != null) {
      output.write(st.progress().toString());
    }
  }

  /**
   * Queues (without delivering) a {@code MsgSnap} from one node to another carrying the sender's
   * latest applied state.
   */
  void sendSnapshot(int fromIdx, int toIdx) {
    InteractionNode from = node(fromIdx);
    Snapshot snap = from.storage.snapshot();
    long term = from.rawNode.basicStatus().hardState().getTerm();
    Message m =
        Message.newBuilder()
            .setType(MessageType.MsgSnap)
            .setTerm(term)
            .setFrom(fromIdx + 1)
            .setTo(toIdx + 1)
            .setSnapshot(snap)
            .build();
    messages.add(m);
    output.write(Describe.message(m));
  }

  /** Sets the log level by name (any case). */
  void logLevel(String name) {
    int lvl = RedirectLogger.levelByName(name);
    if (lvl < 0) {
      throw new InteractionError(
          "log levels must be either of [" + String.join(" ", RedirectLogger.LEVEL_NAMES) + "]");
    }
    output.level(lvl);
  }
}
