package dev.raftboot.sim;

import com.google.protobuf.ByteString;
import dev.raftboot.Describe;
import dev.raftboot.RawNode;
import dev.raftboot.SimBridge;
import dev.raftboot.StateType;
import dev.raftboot.quorum.JointConfig;
import dev.raftboot.quorum.MajorityConfig;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The safety checks of the simulation, fed after every step and at every disk write and apply.
 *
 * <p>It keeps three global ledgers, all indexed by log index: every entry any log ever held, with
 * its predecessor's term (log matching); every entry known committed, with the term in which it was
 * first known committed (leader completeness, durability, state-machine safety); and the state
 * machine hash after each applied index (state-machine safety, snapshots included). Ledgers only
 * grow, so a property is checked across all of time, not just between the nodes alive now.
 */
final class Checker {

  private final EnumSet<Check> enabled;
  private final Map<Long, SimNode> nodes;
  private final History history;

  private final HashMap<Long, Long> leaderOfTerm = new HashMap<>();

  /** index -> the entries of different terms seen at that index. */
  private final ArrayList<LedgerRec[]> ledger = new ArrayList<>();

  private final ArrayList<Entry> committed = new ArrayList<>();
  private long[] commitTerm = new long[1024];
  long maxCommitted;
  private boolean committedGrew;
  private final HashSet<ByteString> committedPayloads = new HashSet<>();
  long clientEntriesCommitted;

  private long[] chain = new long[1024];
  private final BitSet chainKnown = new BitSet();

  private record LedgerRec(Entry entry, long prevTerm, long node, String view) {}

  Checker(EnumSet<Check> enabled, Map<Long, SimNode> nodes, History history) {
    this.enabled = enabled;
    this.nodes = nodes;
    this.history = history;
  }

  boolean enabled(Check c) {
    return enabled.contains(c);
  }

  private void fail(Check c, String msg) {
    if (enabled.contains(c) || c == Check.NO_PANIC) {
      throw new SimViolation(c, msg);
    }
  }

  Entry committedAt(long i) {
    return i < committed.size() ? committed.get((int) i) : null;
  }

  boolean isCommittedPayload(ByteString data) {
    return committedPayloads.contains(data);
  }

  // ---------------------------------------------------------------------------------------------
  // after every step

  /** Checks everything that can change in a step; {@code dirty} are the nodes the step touched. */
  void afterStep(List<SimNode> dirty) {
    for (SimNode n : dirty) {
      if (n.rn != null) {
        observeCommit(n);
      }
    }
    for (SimNode n : nodes.values()) {
      if (n.rn == null) {
        n.prevVoters = null;
        continue;
      }
      if (SimBridge.state(n.rn) == StateType.LEADER) {
        long term = SimBridge.term(n.rn);
        Long prev = leaderOfTerm.putIfAbsent(term, n.id);
        if (prev == null || prev != n.id) {
          history.leader(n.id, term);
        }
        if (prev != null && prev != n.id) {
          fail(
              Check.ONE_LEADER_PER_TERM,
              String.format("nodes %d and %d are both leader in term %d", prev, n.id, term));
        }
        if (committedGrew || n.dirty) {
          checkLeaderCompleteness(n, term);
        }
      }
      // Every node's, not only leaders': a node can win an election and commit in one step (a
      // single voter does), and what it counted then was its configuration before the step.
      n.prevVoters = SimBridge.votersView(n.rn);
    }
    for (SimNode n : dirty) {
      if (n.rn != null && enabled(Check.LOG_MATCHING)) {
        RawNode rn = n.rn;
        long fi = SimBridge.firstIndex(rn);
        long li = SimBridge.lastIndex(rn);
        long prevTerm = SimBridge.termAt(rn, fi - 1);
        if (fi <= li) {
          matchLog(n, "raft log", prevTerm, SimBridge.entries(rn, fi, li + 1));
        }
      }
      if (n.diskDirty && enabled(Check.LOG_MATCHING)) {
        Disk d = n.disk;
        List<Entry> ents = d.entries();
        if (!ents.isEmpty()) {
          matchLog(n, "disk", d.storage.term(d.offset()), ents);
        }
      }
    }
    committedGrew = false;
  }

  /**
   * Records what the node now knows committed; a leader's new commits must be durable on a quorum.
   * Not while the node waits for a slow sync: a lone voter's commit index covers the entries it is
   * syncing, and nothing of them is visible before the sync returns.
   */
  private void observeCommit(SimNode n) {
    if (n.stalledReady != null) {
      return;
    }
    RawNode rn = n.rn;
    long c = SimBridge.committed(rn);
    if (c <= n.commitSeen) {
      return;
    }
    long term = SimBridge.term(rn);
    boolean leader = SimBridge.state(rn) == StateType.LEADER;
    long fi = SimBridge.firstIndex(rn);
    long lo = Math.max(n.commitSeen + 1, fi);
    List<Entry> ents = lo <= c ? SimBridge.entries(rn, lo, c + 1) : List.of();
    for (Entry e : ents) {
      history.committed(n.id, e.getIndex(), StateMachine.chain(0, e), false);
      recordCommitted(n, e, term, Check.COMMITTED_NEVER_LOST, "commit index");
      if (leader) {
        checkDurableOnQuorum(n, e);
      }
    }
    n.commitSeen = c;
  }

  private void checkDurableOnQuorum(SimNode leader, Entry e) {
    if (!enabled(Check.COMMITTED_NEVER_LOST)) {
      return;
    }
    // Stopped (removed) nodes count: their disks are as durable as anyone's, and the leader may
    // not have applied their removal yet. Durable means synced: what a power loss keeps.
    TreeSet<Long> holders = new TreeSet<>();
    for (SimNode m : nodes.values()) {
      if (m.disk.holdsDurably(e)) {
        holders.add(m.id);
      }
    }
    // A step may apply a conf change right after committing it, and commit more under the new
    // configuration: the commit counted under the one before the step or the one after it.
    if (!SimBridge.isQuorum(leader.rn, holders)
        && (leader.prevVoters == null || !isQuorum(leader.prevVoters, holders))) {
      StringBuilder others = new StringBuilder();
      for (SimNode m : nodes.values()) {
        if (!holders.contains(m.id)) {
          Entry mine = m.disk.entry(e.getIndex());
          others.append(String.format(
              " n%d: disk (%d..%d] has %s, raft log last %d;", m.id, m.disk.offset(),
              m.disk.lastIndex(), mine == null ? "nothing" : Describe.entry(mine),
              m.rn == null ? -1 : SimBridge.lastIndex(m.rn)));
        }
      }
      fail(
          Check.COMMITTED_NEVER_LOST,
          String.format(
              "leader %d committed %s but only %s hold it durably (synced) (voters %s);%s",
              leader.id, Describe.entry(e), holders, SimBridge.config(leader.rn), others));
    }
  }

  private static boolean isQuorum(JointConfig voters, TreeSet<Long> ids) {
    return isMajority(voters.incoming(), ids) && isMajority(voters.outgoing(), ids);
  }

  private static boolean isMajority(MajorityConfig c, TreeSet<Long> ids) {
    if (c.isEmpty()) {
      return true;
    }
    int n = 0;
    for (long id : c.ids()) {
      if (ids.contains(id)) {
        n++;
      }
    }
    return n > c.size() / 2;
  }

  private void recordCommitted(SimNode n, Entry e, long term, Check onConflict, String how) {
    int i = (int) e.getIndex();
    while (committed.size() <= i) {
      committed.add(null);
    }
    Entry known = committed.get(i);
    if (known == null) {
      committed.set(i, e);
      if (i >= commitTerm.length) {
        commitTerm = Arrays.copyOf(commitTerm, Math.max(i + 1, commitTerm.length * 2));
      }
      commitTerm[i] = term;
      if (i > maxCommitted) {
        maxCommitted = i;
      }
      committedGrew = true;
      if (e.getData().size() > 0 && committedPayloads.add(e.getData())) {
        clientEntriesCommitted++;
      }
    } else if (!known.equals(e)) {
      fail(
          onConflict,
          String.format(
              "node %d has %s committed (%s) at index %d, but %s was committed there before",
              n.id, Describe.entry(e), how, i, Describe.entry(known)));
    }
  }

  private void checkLeaderCompleteness(SimNode n, long term) {
    if (!enabled(Check.LEADER_COMPLETENESS)) {
      return;
    }
    RawNode rn = n.rn;
    long fi = SimBridge.firstIndex(rn);
    long li = SimBridge.lastIndex(rn);
    // Everything below the first index is in the leader's snapshot, checked by the state machine.
    long hi = maxCommitted;
    while (hi >= fi && (committedAt(hi) == null || commitTerm[(int) hi] >= term)) {
      hi--;
    }
    if (hi < fi) {
      return;
    }
    if (hi > li) {
      fail(
          Check.LEADER_COMPLETENESS,
          String.format(
              "leader %d of term %d ends at index %d but %s was committed in term %d",
              n.id, term, li, Describe.entry(committedAt(hi)), commitTerm[(int) hi]));
    }
    List<Entry> ents = SimBridge.entries(rn, fi, hi + 1);
    for (Entry e : ents) {
      int i = (int) e.getIndex();
      Entry c = committedAt(i);
      if (c != null && commitTerm[i] < term && !c.equals(e)) {
        fail(
            Check.LEADER_COMPLETENESS,
            String.format(
                "leader %d of term %d has %s at index %d, but %s was committed in term %d",
                n.id, term, Describe.entry(e), i, Describe.entry(c), commitTerm[i]));
      }
    }
  }

  private void matchLog(SimNode n, String view, long prevTerm, List<Entry> ents) {
    for (Entry e : ents) {
      int i = (int) e.getIndex();
      while (ledger.size() <= i) {
        ledger.add(null);
      }
      LedgerRec[] recs = ledger.get(i);
      LedgerRec found = null;
      if (recs != null) {
        for (LedgerRec r : recs) {
          if (r.entry.getTerm() == e.getTerm()) {
            found = r;
            break;
          }
        }
      }
      if (found == null) {
        LedgerRec rec = new LedgerRec(e, prevTerm, n.id, view);
        if (recs == null) {
          ledger.set(i, new LedgerRec[] {rec});
        } else {
          LedgerRec[] more = Arrays.copyOf(recs, recs.length + 1);
          more[recs.length] = rec;
          ledger.set(i, more);
        }
      } else if (found.prevTerm != prevTerm || !found.entry.equals(e)) {
        fail(
            Check.LOG_MATCHING,
            String.format(
                "node %d's %s has %s after an entry of term %d, but node %d's %s had %s after an"
                    + " entry of term %d",
                n.id, view, Describe.entry(e), prevTerm, found.node, found.view,
                Describe.entry(found.entry), found.prevTerm));
      }
      prevTerm = e.getTerm();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // applies and snapshots

  /** A node applied {@code e}; its state machine hash is now {@code hash}. */
  void onApply(SimNode n, Entry e, long hash, long term) {
    history.committed(n.id, e.getIndex(), StateMachine.chain(0, e), true);
    recordCommitted(n, e, term, Check.STATE_MACHINE_SAFETY, "applied");
    recordChain(n, e.getIndex(), hash, "applying " + Describe.entry(e));
  }

  /** Raft applied a conf change: its configuration must be the one the application computed. */
  void onConfApplied(SimNode n, Entry e, ConfState raft, ConfState app) {
    if (!raft.equals(app)) {
      fail(
          Check.STATE_MACHINE_SAFETY,
          String.format(
              "node %d's Raft configuration after %s is %s, but the entries applied give %s",
              n.id, Describe.entry(e), Describe.confState(raft), Describe.confState(app)));
    }
  }

  /** An entry at or below the state machine's applied index came again and was skipped. */
  void onSkippedApply(SimNode n, Entry e, long term) {
    history.committed(n.id, e.getIndex(), StateMachine.chain(0, e), true);
    recordCommitted(n, e, term, Check.STATE_MACHINE_SAFETY, "handed out for applying");
  }

  /** A node replaced its state machine with a snapshot's. */
  void onSnapshotInstalled(SimNode n, long index, long hash) {
    recordChain(n, index, hash, "installing a snapshot");
  }

  private void recordChain(SimNode n, long index, long hash, String what) {
    history.state(n.id, index, hash);
    int i = (int) index;
    if (i >= chain.length) {
      chain = Arrays.copyOf(chain, Math.max(i + 1, chain.length * 2));
    }
    if (!chainKnown.get(i)) {
      chainKnown.set(i);
      chain[i] = hash;
    } else if (chain[i] != hash) {
      fail(
          Check.STATE_MACHINE_SAFETY,
          String.format(
              "node %d's state machine differs from another node's at index %d after %s",
              n.id, index, what));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // disk writes

  /** Before entries are written: a durably held committed entry must not be replaced or cut. */
  void beforeDiskAppend(SimNode n, List<Entry> ents) {
    if (ents.isEmpty() || !enabled(Check.COMMITTED_NEVER_LOST)) {
      return;
    }
    Disk d = n.disk;
    long f = ents.get(0).getIndex();
    long last = ents.get(ents.size() - 1).getIndex();
    long hi = Math.min(d.lastIndex(), maxCommitted);
    for (long i = Math.max(f, d.offset() + 1); i <= hi; i++) {
      Entry c = committedAt(i);
      if (c == null) {
        continue;
      }
      Entry old = d.entry(i);
      if (old == null || !old.equals(c)) {
        continue;
      }
      Entry replacement = i <= last ? ents.get((int) (i - f)) : null;
      if (replacement == null || !replacement.equals(c)) {
        fail(
            Check.COMMITTED_NEVER_LOST,
            String.format(
                "node %d's disk write replaces committed %s by %s",
                n.id, Describe.entry(c),
                replacement == null ? "nothing" : Describe.entry(replacement)));
      }
    }
  }

  /** Before a snapshot replaces the disk's log: committed entries after it must not be dropped. */
  void beforeDiskSnapshot(SimNode n, Snapshot s) {
    if (!enabled(Check.COMMITTED_NEVER_LOST)) {
      return;
    }
    Disk d = n.disk;
    long hi = Math.min(d.lastIndex(), maxCommitted);
    for (long i = Math.max(s.getMetadata().getIndex() + 1, d.offset() + 1); i <= hi; i++) {
      Entry c = committedAt(i);
      if (c != null && c.equals(d.entry(i))) {
        fail(
            Check.COMMITTED_NEVER_LOST,
            String.format(
                "node %d's snapshot at index %d drops committed %s from its disk",
                n.id, s.getMetadata().getIndex(), Describe.entry(c)));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // reads

  void onReadState(SimNode n, ByteString ctx, long index, long committedAtRequest) {
    if (index < committedAtRequest) {
      fail(
          Check.READ_INDEX,
          String.format(
              "node %d got read index %d for %s, but index %d was committed before the request",
              n.id, index, ctx.toStringUtf8(), committedAtRequest));
    }
  }

  void failLiveness(String msg) {
    fail(Check.LIVENESS, msg);
  }

  void failPanic(String msg) {
    fail(Check.NO_PANIC, msg);
  }
}
