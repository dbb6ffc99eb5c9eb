package dev.raftboot;

import dev.raftboot.quorum.JointConfig;
import dev.raftboot.quorum.VoteResult;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.tracker.TrackerConfig;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test-scope read access to a {@link RawNode}'s internals for the deterministic simulation in
 * {@code dev.raftboot.sim}: the role, term and vote, the whole log as Raft sees it (stable storage
 * plus the unstable tail), the commit index and the active configuration. Nothing here changes the
 * node.
 */
public final class SimBridge {

  private SimBridge() {}

  public static long term(RawNode rn) {
    return rn.raft.term;
  }

  public static long vote(RawNode rn) {
    return rn.raft.vote;
  }

  public static long lead(RawNode rn) {
    return rn.raft.lead;
  }

  public static StateType state(RawNode rn) {
    return rn.raft.state;
  }

  public static long committed(RawNode rn) {
    return rn.raft.raftLog.committed;
  }

  public static long applied(RawNode rn) {
    return rn.raft.raftLog.applied;
  }

  /** The first index still readable in the log (after the snapshot, stable or unstable). */
  public static long firstIndex(RawNode rn) {
    return rn.raft.raftLog.firstIndex();
  }

  public static long lastIndex(RawNode rn) {
    return rn.raft.raftLog.lastIndex();
  }

  /** The term of entry {@code i}, or -1 when it is compacted or beyond the end of the log. */
  public static long termAt(RawNode rn, long i) {
    try {
      return rn.raft.raftLog.term(i);
    } catch (CompactedException | UnavailableException e) {
      return -1;
    }
  }

  /** Entries {@code [lo, hi)} of the log as Raft sees it (storage followed by the unstable tail). */
  public static List<Entry> entries(RawNode rn, long lo, long hi) {
    return rn.raft.raftLog.slice(lo, hi, RaftUtil.NO_LIMIT);
  }

  /** The entry at {@code i}, or null when it is compacted or beyond the end of the log. */
  public static Entry entryAt(RawNode rn, long i) {
    RaftLog log = rn.raft.raftLog;
    if (i < log.firstIndex() || i > log.lastIndex()) {
      return null;
    }
    return log.slice(i, i + 1, RaftUtil.NO_LIMIT).get(0);
  }

  /** Whether a log ending at {@code (index, term)} is at least as up to date as the node's. */
  public static boolean isUpToDate(RawNode rn, long index, long term) {
    return rn.raft.raftLog.isUpToDate(new EntryId(term, index));
  }

  /** The configuration the node currently acts on (a copy). */
  public static TrackerConfig config(RawNode rn) {
    return rn.raft.trk.config().copy();
  }

  /**
   * The node's current voters, not copied: Raft replaces its configuration object on every change
   * and never alters one in place, so the reference stays a faithful record of that configuration.
   */
  public static JointConfig votersView(RawNode rn) {
    return rn.raft.trk.config().voters();
  }

  /** Whether {@code ids} contain a quorum of the node's current voters (both halves if joint). */
  public static boolean isQuorum(RawNode rn, Set<Long> ids) {
    JointConfig voters = rn.raft.trk.config().voters();
    TreeMap<Long, Boolean> votes = new TreeMap<>();
    for (long v : voters.ids()) {
      votes.put(v, ids.contains(v));
    }
    return voters.voteResult(votes) == VoteResult.WON;
  }

  /** The node's current leader transferee, or 0. */
  public static long leadTransferee(RawNode rn) {
    return rn.raft.leadTransferee;
  }
}
