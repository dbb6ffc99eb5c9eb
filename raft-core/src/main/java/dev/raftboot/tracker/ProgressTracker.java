package dev.raftboot.tracker;

import dev.raftboot.quorum.AckedIndexer;
import dev.raftboot.quorum.JointConfig;
import dev.raftboot.quorum.VoteResult;
import dev.raftboot.raftpb.ConfState;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.function.BiConsumer;

/**
 * The leader's bookkeeping for the group: the membership ({@link TrackerConfig}), each peer's
 * {@link Progress}, and the votes of an election. Not thread-safe.
 */
public final class ProgressTracker {

  private final int maxInflight;
  private final long maxInflightBytes;
  private TrackerConfig config = new TrackerConfig();
  private ProgressMap progress = new ProgressMap();
  private final Map<Long, Boolean> votes = new HashMap<>();

  /** Created once: {@link #committed()} runs on every append acknowledgement. */
  private final AckedIndexer matchIndex =
      id -> {
        Progress pr = progress.get(id);
        return pr == null ? AckedIndexer.NOT_FOUND : pr.match();
      };

  /**
   * @param maxInflight the inflight window size of each new {@link Progress}
   * @param maxInflightBytes the inflight byte limit of each new {@link Progress}; 0 for none
   */
  public ProgressTracker(int maxInflight, long maxInflightBytes) {
    this.maxInflight = maxInflight;
    this.maxInflightBytes = maxInflightBytes;
  }

  /** The current membership (not a copy). */
  public TrackerConfig config() {
    return config;
  }

  public void setConfig(TrackerConfig c) {
    config = Objects.requireNonNull(c, "config");
  }

  /** The progress of every voter and learner (not a copy). */
  public ProgressMap progress() {
    return progress;
  }

  public void setProgress(ProgressMap p) {
    progress = Objects.requireNonNull(p, "progress");
  }

  public int maxInflight() {
    return maxInflight;
  }

  public long maxInflightBytes() {
    return maxInflightBytes;
  }

  /** The membership as a {@link ConfState}, every ID list ascending. */
  public ConfState confState() {
    JointConfig voters = config.voters();
    return ConfState.newBuilder()
        .addAllVoters(voters.incoming().ids())
        .addAllVotersOutgoing(voters.outgoing().ids())
        .addAllLearners(config.learners())
        .addAllLearnersNext(config.learnersNext())
        .setAutoLeave(config.autoLeave())
        .build();
  }

  /** Whether the group has exactly one voter and no membership change is in progress. */
  public boolean isSingleton() {
    return config.voters().incoming().size() == 1 && !config.voters().isJoint();
  }

  /** The highest index that a quorum of voters has in its log, by their {@code match}. */
  public long committed() {
    return config.voters().committedIndex(matchIndex);
  }

  /**
   * Calls {@code f} for every peer in ascending ID order. {@code f} may change the progress it is
   * given but must not add or remove peers.
   */
  public void visit(BiConsumer<Long, Progress> f) {
    progress.forEach(f);
  }

  /** Whether the voters recently heard from form a quorum; learners do not count. */
  public boolean quorumActive() {
    Map<Long, Boolean> active = new HashMap<>();
    progress.forEach(
        (id, pr) -> {
          if (!pr.isLearner()) {
            active.put(id, pr.recentActive());
          }
        });
    return config.voters().voteResult(active) == VoteResult.WON;
  }

  /** The voters of both halves of the config, ascending. */
  public long[] voterNodes() {
    return toArray(config.voters().ids());
  }

  /** The learners, ascending. */
  public long[] learnerNodes() {
    return toArray(config.learners());
  }

  /** Forgets the votes of the previous election. */
  public void resetVotes() {
    votes.clear();
  }

  /** Records the vote of {@code id}; a vote already recorded for it is kept. */
  public void recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
  }

  /** The votes for and against among the voters, and the outcome of the election so far. */
  public TallyResult tallyVotes() {
    int granted = 0;
    int rejected = 0;
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      if (e.getValue().isLearner()) {
        continue;
      }
      Boolean v = votes.get(e.getKey());
      if (v == null) {
        continue;
      }
      if (v) {
        granted++;
      } else {
        rejected++;
      }
    }
    return new TallyResult(granted, rejected, config.voters().voteResult(votes));
  }

  /** The outcome of {@link #tallyVotes()}. */
  public record TallyResult(int granted, int rejected, VoteResult result) {}

  private static long[] toArray(SortedSet<Long> ids) {
    return ids.stream().mapToLong(Long::longValue).toArray();
  }
}
