package dev.raftboot;

import com.google.protobuf.ByteString;
import dev.raftboot.datadriven.CmdArg;
import dev.raftboot.datadriven.TestData;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeTransition;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command handlers of {@link InteractionEnv}: each parses its directive's arguments and runs
 * the corresponding environment operation. Misuse of the harness (bad numbers, missing arguments)
 * fails the test with an {@link AssertionError}; errors the scripts expect as output are thrown as
 * {@link InteractionError} (or come from the library as {@link RaftException}).
 */
final class InteractionCommands {

  private InteractionCommands() {}

  @FunctionalInterface
  private interface Handler {
    void run(InteractionEnv env, TestData d);
  }

  private static final Map<String, Handler> HANDLERS =
      Map.ofEntries(
          Map.entry("_breakpoint", (env, d) -> {}),
          Map.entry("add-nodes", InteractionCommands::addNodes),
          Map.entry("campaign", InteractionCommands::campaign),
          Map.entry("compact", InteractionCommands::compact),
          Map.entry("deliver-msgs", InteractionCommands::deliverMsgs),
          Map.entry("forget-leader", InteractionCommands::forgetLeader),
          Map.entry("log-level", InteractionCommands::logLevel),
          Map.entry("process-ready", InteractionCommands::processReady),
          Map.entry("process-append-thread", InteractionCommands::processAppendThread),
          Map.entry("process-apply-thread", InteractionCommands::processApplyThread),
          Map.entry("propose", InteractionCommands::propose),
          Map.entry("propose-conf-change", InteractionCommands::proposeConfChange),
          Map.entry("raft-log", InteractionCommands::raftLog),
          Map.entry("raft-state", InteractionCommands::raftState),
          Map.entry("read-index", InteractionCommands::readIndex),
          Map.entry("report-unreachable", InteractionCommands::reportUnreachable),
          Map.entry("send-snapshot", InteractionCommands::sendSnapshot),
          Map.entry("set-randomized-election-timeout", InteractionCommands::setElectionTimeout),
          Map.entry("stabilize", InteractionCommands::stabilize),
          Map.entry("status", InteractionCommands::status),
          Map.entry("tick-election", InteractionCommands::tickElection),
          Map.entry("tick-heartbeat", InteractionCommands::tickHeartbeat),
          Map.entry("transfer-leadership", InteractionCommands::transferLeadership));

  static void dispatch(InteractionEnv env, TestData d) {
    Handler h = HANDLERS.get(d.cmd());
    if (h == null) {
      throw new InteractionError("unknown command");
    }
    h.run(env, d);
  }

  // ---------------------------------------------------------------------------------------------
  // argument helpers (misuse is a test failure)

  private static AssertionError misuse(TestData d, String what) {
    return new AssertionError(d.pos() + ": " + d.cmd() + ": " + what);
  }

  /** A decimal integer that must parse, or the test fails. */
  private static long intOrFail(TestData d, String s) {
    try {
      return GoStrconv.parseInt(s);
    } catch (InteractionError e) {
      throw misuse(d, e.getMessage());
    }
  }

  private static long uintOrFail(TestData d, String s) {
    try {
      return GoStrconv.parseUint(s);
    } catch (InteractionError e) {
      throw misuse(d, e.getMessage());
    }
  }

  private static boolean boolOrFail(TestData d, String s) {
    try {
      return GoStrconv.parseBool(s);
    } catch (InteractionError e) {
      throw misuse(d, e.getMessage());
    }
  }

  /** The first argument as a node index (its key is the 1-based ID). */
  private static int firstAsNodeIdx(TestData d) {
    return (int) firstAsInt(d) - 1;
  }

  private static long firstAsInt(TestData d) {
    if (d.cmdArgs().isEmpty()) {
      throw misuse(d, "expected a node id as first argument");
    }
    return intOrFail(d, d.cmdArgs().get(0).key());
  }

  /** The node indexes of all value-less arguments, in order. */
  private static List<Integer> nodeIdxs(TestData d) {
    List<Integer> idxs = new ArrayList<>();
    for (CmdArg a : d.cmdArgs()) {
      if (a.vals().isEmpty()) {
        idxs.add((int) intOrFail(d, a.key()) - 1);
      }
    }
    return idxs;
  }

  /** The single value of the first argument named {@code key}. */
  private static String scanOne(TestData d, String key) {
    for (CmdArg a : d.cmdArgs()) {
      if (a.key().equals(key)) {
        if (a.vals().size() != 1) {
          throw misuse(d, "expected exactly one value for " + key + ", got " + a.vals());
        }
        return a.vals().get(0);
      }
    }
    throw misuse(d, "missing argument " + key);
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // node lifecycle

  private static void addNodes(InteractionEnv env, TestData d) {
    long n = firstAsInt(d);
    Config cfg = InteractionEnv.configStub();
    ConfState.Builder cs = ConfState.newBuilder();
    SnapshotMetadata.Builder meta = SnapshotMetadata.newBuilder();
    Snapshot.Builder snap = Snapshot.newBuilder();
    boolean bootstrap = false;
    List<CmdArg> args = d.cmdArgs();
    for (CmdArg a : args.subList(1, args.size())) {
      for (String v : a.vals()) {
        switch (a.key()) {
          case "voters":
            cs.addVoters(uintOrFail(d, v));
            bootstrap = true;
            break;
          case "learners":
            cs.addLearners(uintOrFail(d, v));
            bootstrap = true;
            break;
          case "inflight":
            cfg.maxInflightMsgs((int) intOrFail(d, v));
            break;
          case "index":
            {
              long index = uintOrFail(d, v);
              meta.setIndex(index);
              cfg.applied(index);
              bootstrap |= index != 0;
              break;
            }
          case "content":
            snap.setData(bytes(v));
            bootstrap = true;
            break;
          case "async-storage-writes":
            cfg.asyncStorageWrites(boolOrFail(d, v));
            break;
          case "prevote":
            cfg.preVote(boolOrFail(d, v));
            break;
          case "checkquorum":
            cfg.checkQuorum(boolOrFail(d, v));
            break;
          case "max-committed-size-per-ready":
            cfg.maxCommittedSizePerReady(uintOrFail(d, v));
            break;
          case "disable-conf-change-validation":
            cfg.disableConfChangeValidation(boolOrFail(d, v));
            break;
          case "read-only":
            switch (v) {
              case "safe":
                cfg.readOnlyOption(ReadOnlyOption.SAFE);
                break;
              case "lease-based":
                cfg.readOnlyOption(ReadOnlyOption.LEASE_BASED);
                break;
              default:
                throw new InteractionError("invalid read-only option " + Describe.goQuote(bytes(v)));
            }
            break;
          case "step-down-on-removal":
            cfg.stepDownOnRemoval(boolOrFail(d, v));
            break;
            // Our own options, not in upstream's harness.
          case "max-uncommitted-size":
            cfg.maxUncommittedEntriesSize(uintOrFail(d, v));
            break;
          case "disable-proposal-forwarding":
            cfg.disableProposalForwarding(boolOrFail(d, v));
            break;
          case "max-inflight-bytes":
            cfg.maxInflightBytes(uintOrFail(d, v));
            break;
          case "max-size-per-msg":
            cfg.maxSizePerMsg(uintOrFail(d, v));
            break;
          default:
            // unknown keys are ignored, as upstream does
            break;
        }
      }
    }
    Snapshot s = snap.setMetadata(meta.setConfState(cs)).build();
    env.addNodes((int) n, cfg, s, bootstrap);
  }

  // ---------------------------------------------------------------------------------------------
  // driving nodes

  private static void campaign(InteractionEnv env, TestData d) {
    env.node(firstAsNodeIdx(d)).rawNode.campaign();
  }

  private static void forgetLeader(InteractionEnv env, TestData d) {
    env.node(firstAsNodeIdx(d)).rawNode.forgetLeader();
  }

  private static void tickElection(InteractionEnv env, TestData d) {
    InteractionNode n = env.node(firstAsNodeIdx(d));
    for (int i = 0; i < n.config.electionTick(); i++) {
      n.rawNode.tick();
    }
  }

  private static void tickHeartbeat(InteractionEnv env, TestData d) {
    InteractionNode n = env.node(firstAsNodeIdx(d));
    for (int i = 0; i < n.config.heartbeatTick(); i++) {
      n.rawNode.tick();
    }
  }

  /** The second argument of {@code propose}-like commands: a raw token, quotes included. */
  private static ByteString rawPayload(TestData d) {
    List<CmdArg> args = d.cmdArgs();
    if (args.size() != 2 || !args.get(1).vals().isEmpty()) {
      throw misuse(d, "expected exactly one key with no vals: " + args.subList(Math.min(1, args.size()), args.size()));
    }
    return bytes(args.get(1).key());
  }

  private static void propose(InteractionEnv env, TestData d) {
    int idx = firstAsNodeIdx(d);
    ByteString data = rawPayload(d);
    env.node(idx).rawNode.propose(data);
  }

  private static void readIndex(InteractionEnv env, TestData d) {
    int idx = firstAsNodeIdx(d);
    ByteString ctx = rawPayload(d);
    env.node(idx).rawNode.readIndex(ctx);
  }

  private static void proposeConfChange(InteractionEnv env, TestData d) {
    int idx = firstAsNodeIdx(d);
    boolean v1 = false;
    ConfChangeTransition transition = ConfChangeTransition.ConfChangeTransitionAuto;
    List<CmdArg> args = d.cmdArgs();
    for (CmdArg a : args.subList(1, args.size())) {
      for (String v : a.vals()) {
        switch (a.key()) {
          case "v1":
            v1 = GoStrconv.parseBool(v);
            break;
          case "transition":
            switch (v) {
              case "auto":
                transition = ConfChangeTransition.ConfChangeTransitionAuto;
                break;
              case "implicit":
                transition = ConfChangeTransition.ConfChangeTransitionJointImplicit;
                break;
              case "explicit":
                transition = ConfChangeTransition.ConfChangeTransitionJointExplicit;
                break;
              default:
                throw new InteractionError("unknown transition " + v);
            }
            break;
          default:
            throw new InteractionError("unknown command " + a.key());
        }
      }
    }
    List<ConfChangeSingle> changes = parseConfChanges(d.input());
    RawNode rn = env.node(idx).rawNode;
    if (v1) {
      if (changes.size() != 1 || transition != ConfChangeTransition.ConfChangeTransitionAuto) {
        throw new InteractionError("v1 conf change can only have one operation and no transition");
      }
      ConfChangeSingle c = changes.get(0);
      rn.proposeConfChange(
          ConfChange.newBuilder().setType(c.getType()).setNodeId(c.getNodeId()).build());
    } else {
      rn.proposeConfChange(
          ConfChangeV2.newBuilder().setTransition(transition).addAllChanges(changes).build());
    }
  }

  /**
   * Change tokens separated by single spaces: {@code v<id>} add voter, {@code l<id>} add learner,
   * {@code r<id>} remove, {@code u<id>} update. Empty input is no change at all.
   */
  static List<ConfChangeSingle> parseConfChanges(String input) {
    List<ConfChangeSingle> out = new ArrayList<>();
    String s = input.strip();
    if (s.isEmpty()) {
      return out;
    }
    for (String tok : s.split(" ", -1)) {
      if (tok.length() < 2) {
        throw new InteractionError("unknown token " + tok);
      }
      ConfChangeType type;
      switch (tok.charAt(0)) {
        case 'v':
          type = ConfChangeType.ConfChangeAddNode;
          break;
        case 'l':
          type = ConfChangeType.ConfChangeAddLearnerNode;
          break;
        case 'r':
          type = ConfChangeType.ConfChangeRemoveNode;
          break;
        case 'u':
          type = ConfChangeType.ConfChangeUpdateNode;
          break;
        default:
          throw new InteractionError("unknown input: " + tok);
      }
      long id = GoStrconv.parseUint(tok.substring(1));
      out.add(ConfChangeSingle.newBuilder().setType(type).setNodeId(id).build());
    }
    return out;
  }

  private static void transferLeadership(InteractionEnv env, TestData d) {
    long from = uintOrFail(d, scanOne(d, "from"));
    long to = uintOrFail(d, scanOne(d, "to"));
    int n = env.nodes.size();
    if (from == 0 || Long.compareUnsigned(from, n) > 0) {
      throw misuse(d, "expected valid \"from\" argument");
    }
    if (to == 0 || Long.compareUnsigned(to, n) > 0) {
      throw misuse(d, "expected valid \"to\" argument");
    }
    env.node((int) from - 1).rawNode.transferLeader(to);
  }

  private static void reportUnreachable(InteractionEnv env, TestData d) {
    List<Integer> idxs = nodeIdxs(d);
    if (idxs.size() != 2) {
      throw new InteractionError(
          "must specify exactly two node indexes: node on which to report, and reported node");
    }
    InteractionNode on = env.node(idxs.get(0));
    on.rawNode.reportUnreachable(env.node(idxs.get(1)).id());
  }

  private static void setElectionTimeout(InteractionEnv env, TestData d) {
    int idx = firstAsNodeIdx(d);
    long timeout = intOrFail(d, scanOne(d, "timeout"));
    if (timeout == 0) {
      throw misuse(d, "timeout must be non-zero");
    }
    env.node(idx).rawNode.setRandomizedElectionTimeout((int) timeout);
  }

  // ---------------------------------------------------------------------------------------------
  // processing

  private static void processReady(InteractionEnv env, TestData d) {
    List<Integer> idxs = nodeIdxs(d);
    for (int idx : idxs) {
      if (idxs.size() > 1) {
        env.output.write("> " + (idx + 1) + " handling Ready\n");
        env.withIndent(() -> env.processReady(idx));
      } else {
        env.processReady(idx);
      }
    }
  }

  private static void processAppendThread(InteractionEnv env, TestData d) {
    List<Integer> idxs = nodeIdxs(d);
    for (int idx : idxs) {
      if (idxs.size() > 1) {
        env.output.write("> " + (idx + 1) + " processing append thread\n");
        env.withIndent(() -> env.processAppendThread(idx));
      } else {
        env.processAppendThread(idx);
      }
    }
  }

  private static void processApplyThread(InteractionEnv env, TestData d) {
    List<Integer> idxs = nodeIdxs(d);
    for (int idx : idxs) {
      if (idxs.size() > 1) {
        env.output.write("> " + (idx + 1) + " processing apply thread\n");
        env.withIndent(() -> env.processApplyThread(idx));
      } else {
        env.processApplyThread(idx);
      }
    }
  }

  private static void deliverMsgs(InteractionEnv env, TestData d) {
    List<InteractionEnv.Recipient> rs = new ArrayList<>();
    MessageType type = null;
    for (CmdArg a : d.cmdArgs()) {
      if (a.vals().isEmpty()) {
        rs.add(new InteractionEnv.Recipient(uintOrFail(d, a.key()), false));
      }
      for (String v : a.vals()) {
        switch (a.key()) {
          case "drop":
            {
              long id = uintOrFail(d, v);
              for (InteractionEnv.Recipient r : rs) {
                if (r.id() == id) {
                  throw misuse(d, "can't both deliver and drop msgs to " + Long.toUnsignedString(id));
                }
              }
              rs.add(new InteractionEnv.Recipient(id, true));
              break;
            }
          case "type":
            try {
              type = MessageType.valueOf(v);
            } catch (IllegalArgumentException e) {
              throw misuse(d, "unknown message type " + v);
            }
            break;
          default:
            break;
        }
      }
    }
    if (env.deliverMsgs(type, rs) == 0) {
      env.output.write("no messages\n");
    }
  }

  private static void stabilize(InteractionEnv env, TestData d) {
    List<Integer> idxs = nodeIdxs(d);
    int old = env.output.level();
    try {
      for (CmdArg a : d.cmdArgs()) {
        for (String v : a.vals()) {
          if (a.key().equals("log-level")) {
            env.logLevel(v);
          }
        }
      }
      env.stabilize(idxs);
    } finally {
      env.output.level(old);
    }
  }

  private static void sendSnapshot(InteractionEnv env, TestData d) {
    List<Integer> idxs = nodeIdxs(d);
    if (idxs.size() != 2) {
      throw misuse(d, "expected exactly two node ids: sender and recipient");
    }
    try {
      env.sendSnapshot(idxs.get(0), idxs.get(1));
    } catch (InteractionError | RaftException ignored) {
      // as upstream: the command's error is not reported
    }
  }

  // ---------------------------------------------------------------------------------------------
  // inspection and settings

  private static void raftLog(InteractionEnv env, TestData d) {
    env.raftLog(firstAsNodeIdx(d));
  }

  private static void compact(InteractionEnv env, TestData d) {
    int idx = firstAsNodeIdx(d);
    if (d.cmdArgs().size() < 2) {
      throw misuse(d, "expected the compact index as second argument");
    }
    long index = GoStrconv.parseUint(d.cmdArgs().get(1).key());
    env.node(idx).memory.compact(index);
    env.raftLog(idx);
  }

  private static void raftState(InteractionEnv env, TestData d) {
    env.raftState();
  }

  private static void status(InteractionEnv env, TestData d) {
    env.status(firstAsNodeIdx(d));
  }

  private static void logLevel(InteractionEnv env, TestData d) {
    if (d.cmdArgs().isEmpty()) {
      throw misuse(d, "expected a level name");
    }
    env.logLevel(d.cmdArgs().get(0).key());
  }
}
