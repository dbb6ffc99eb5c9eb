package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.BasicStatus;
import dev.raftboot.RaftUtil;
import dev.raftboot.RawNode;
import dev.raftboot.ReadOnlyOption;
import dev.raftboot.ReadState;
import dev.raftboot.StateType;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReadTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Linearizable reads, on the raft loop thread: the reads that arrived in one turn of the loop share
 * one ReadIndex round per consistency level, and LEASE reads on a leader whose lease holds are
 * answered without a heartbeat round. A confirmed round becomes an {@link
 * ApplyInput.ReadIndexConfirmed}: the apply thread completes the reads once it has applied the
 * confirmed index.
 */
final class Reads {

  /** A read waiting for a round: its caller's future, level and deadline ({@link System#nanoTime()}). */
  record PendingRead(CompletableFuture<Void> future, ReadConsistency consistency, long deadline) {}

  /**
   * Reads sharing one read-index request ({@code reads} loses those that time out meanwhile; a
   * heartbeat round left without reads still renews the lease). {@code fromLease}: answered from
   * this node's lease; {@code leaderTerm}: the term this node led in when it issued the request (0 if it did not);
   * {@code askedOf}, {@code askedInTerm}: the leader this node knew when it issued it, and the term
   * (no leader: raft dropped the request); {@code issuedAtNanos}: when it issued it.
   */
  private record ReadBatch(
      List<PendingRead> reads,
      ReadConsistency consistency,
      long issuedAtTick,
      boolean fromLease,
      long leaderTerm,
      long askedOf,
      long askedInTerm,
      long issuedAtNanos) {}

  private final RawNode rawNode;
  private final NodeState state;
  /** How long a quorum-acknowledged heartbeat round keeps the lease; 0: LEASE reads are SAFE. */
  private final long leaseNanos;
  private final int electionTick;
  private final List<PendingRead> toIssue = new ArrayList<>();
  private final Map<ByteString, ReadBatch> inFlight = new HashMap<>();
  /**
   * This node's own read lease: while it leads in {@link #leaseTerm} and {@link System#nanoTime()}
   * is before {@link #leaseUntil}, no other node can have become leader, so LEASE reads are
   * answered without a heartbeat round. See {@link #renewLease}.
   */
  private long leaseUntil;
  private long leaseTerm;

  Reads(RawNode rawNode, NodeState state, RaftServerSettings settings) {
    this.rawNode = rawNode;
    this.state = state;
    this.leaseNanos = leaseNanos(settings);
    this.electionTick = settings.raft().electionTick();
  }

  void add(PendingRead read) {
    toIssue.add(read);
  }

  /** Starts one read-index round per consistency level for the reads added since the last call. */
  void issue(long ticks) {
    if (toIssue.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    BasicStatus st = rawNode.basicStatus();
    long term = st.hardState().getTerm();
    boolean leading =
        st.softState().raftState() == StateType.LEADER && st.leadTransferee() == RaftUtil.NONE;
    boolean leaseValid = leading && leaseNanos > 0 && leaseTerm == term && now - leaseUntil < 0;
    for (ReadConsistency c : ReadConsistency.values()) {
      List<PendingRead> reads = new ArrayList<>();
      for (PendingRead r : toIssue) {
        if (r.consistency() == c) {
          reads.add(r);
        }
      }
      if (reads.isEmpty()) {
        continue;
      }
      ByteString ctx = ByteString.copyFromUtf8("r" + state.nextRequestId());
      boolean fromLease = c == ReadConsistency.LEASE && leaseValid;
      long lead = st.softState().lead();
      inFlight.put(
          ctx, new ReadBatch(reads, c, ticks, fromLease, leading ? term : 0, lead, term, now));
      if (fromLease) {
        state.leaseReads.addAndGet(reads.size());
      }
      rawNode.readIndex(ctx, fromLease ? ReadOnlyOption.LEASE_BASED : ReadOnlyOption.SAFE);
    }
    toIssue.clear();
  }

  /**
   * Once {@code leader} is known in {@code term}: the rounds not asked of it in this term — asked
   * of no leader (raft dropped them), or of a leader that has since lost leadership, and with it
   * its pending rounds — are asked again now rather than after two election timeouts. An answer to
   * an old request that still comes is ignored.
   */
  void leaderChanged(long leader, long term, long ticks) {
    for (Iterator<ReadBatch> it = inFlight.values().iterator(); it.hasNext(); ) {
      ReadBatch b = it.next();
      if (b.askedOf() != leader || b.askedInTerm() != term) {
        it.remove();
        toIssue.addAll(b.reads());
      }
    }
    issue(ticks);
  }

  /** The rounds a Ready's read states confirm, for the apply thread. */
  List<ApplyInput.ReadIndexConfirmed> confirmed(List<ReadState> readStates) {
    List<ApplyInput.ReadIndexConfirmed> out = new ArrayList<>(readStates.size());
    for (ReadState rs : readStates) {
      ReadBatch batch = inFlight.remove(rs.requestCtx());
      if (batch != null) {
        renewLease(batch);
        List<CompletableFuture<Void>> futures = new ArrayList<>(batch.reads().size());
        batch.reads().forEach(r -> futures.add(r.future()));
        out.add(new ApplyInput.ReadIndexConfirmed(rs.index(), futures));
      }
    }
    return out;
  }

  /**
   * Fails the reads whose deadline passed before {@code now}, asked or not (a round that comes
   * later confirms only the reads still in it), and asks again for the rounds that got no answer
   * for two election timeouts (no leader, lost messages).
   */
  void expire(long now, long ticks) {
    for (Iterator<ReadBatch> it = inFlight.values().iterator(); it.hasNext(); ) {
      ReadBatch b = it.next();
      b.reads().removeIf(r -> failIfLate(r, now));
      if (ticks - b.issuedAtTick() > 2L * electionTick) {
        it.remove();
        toIssue.addAll(b.reads());
      }
    }
    toIssue.removeIf(r -> failIfLate(r, now));
  }

  private static boolean failIfLate(PendingRead read, long now) {
    if (now - read.deadline() > 0) {
      read.future().completeExceptionally(
          new ReadTimeoutException("read not confirmed by a leader in time"));
      return true;
    }
    return false;
  }

  /** Fails every read not yet handed to the apply thread; once the loop has ended. */
  void failAll(RuntimeException failure) {
    toIssue.forEach(r -> r.future().completeExceptionally(failure));
    toIssue.clear();
    inFlight.values().forEach(b -> b.reads().forEach(r -> r.future().completeExceptionally(failure)));
    inFlight.clear();
  }

  /**
   * Renews this node's lease when {@code batch} was a heartbeat round (not a lease read) that it
   * started as leader, with no leadership transfer under way, and that a quorum acknowledged in
   * that same term.
   *
   * <p>Why this is needed: raft's own lease (LEASE_BASED with CheckQuorum) holds for as long as the
   * leader has not stepped down, and a partitioned leader steps down only at the CheckQuorum that
   * follows a whole election timeout without a quorum, up to two election timeouts after its last
   * contact; the others may elect a new leader after one election timeout and commit writes that
   * the old leader's lease reads do not see. Here the lease is measured from when this node
   * started a round: every member that acknowledged it heard from this leader after that moment,
   * and ignores votes until it has ticked a whole election timeout since (it ticks no faster than
   * the clock, give or take one tick, and twice in a row after a stall: hence two ticks off), so no
   * other node can win an election before {@code start + leaseNanos}. The LEASE reads of a
   * follower are sent to the leader as ordinary read-index requests.
   */
  private void renewLease(ReadBatch batch) {
    if (batch.fromLease() || batch.leaderTerm() == 0 || leaseNanos == 0) {
      return;
    }
    BasicStatus st = rawNode.basicStatus();
    if (st.softState().raftState() != StateType.LEADER
        || st.hardState().getTerm() != batch.leaderTerm()
        || st.leadTransferee() != RaftUtil.NONE) {
      return;
    }
    long until = batch.issuedAtNanos() + leaseNanos;
    if (leaseTerm != batch.leaderTerm() || until - leaseUntil > 0) {
      leaseTerm = batch.leaderTerm();
      leaseUntil = until;
    }
  }

  /**
   * The lease a quorum-acknowledged round gives: two ticks short of the election timeout, less 10%
   * for clocks that run at different rates on different machines. None without CheckQuorum (votes
   * are then not refused inside a leader's lease).
   */
  static long leaseNanos(RaftServerSettings settings) {
    int electionTick = settings.raft().electionTick();
    if (!settings.raft().checkQuorum() || electionTick <= 2) {
      return 0;
    }
    return (electionTick - 2) * settings.tickInterval().toNanos() / 10 * 9;
  }
}
