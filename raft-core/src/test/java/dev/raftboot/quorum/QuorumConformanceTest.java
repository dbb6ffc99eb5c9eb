package dev.raftboot.quorum;

import dev.raftboot.datadriven.CmdArg;
import dev.raftboot.datadriven.ConformanceFiles;
import dev.raftboot.datadriven.TestData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs etcd's {@code quorum/testdata} scripts (SPEC §4). Besides the printed result, every case is
 * cross-checked by equivalent computations; a disagreement is printed and so fails the script.
 */
class QuorumConformanceTest {

  @TestFactory
  Stream<DynamicTest> quorum() {
    return ConformanceFiles.tests("quorum/testdata", file -> QuorumConformanceTest::handle);
  }

  /** Placeholder for {@code _}: no ack, or no vote. Never a valid input value. */
  private static final long ABSENT = 0;

  private static final long VOTE_NO = 1;
  private static final long VOTE_YES = 2;

  static String handle(TestData d) {
    boolean joint = false;
    List<Long> ids = new ArrayList<>();
    List<Long> idsj = new ArrayList<>();
    List<Long> idxs = new ArrayList<>();
    List<Long> votes = new ArrayList<>();
    for (CmdArg arg : d.cmdArgs()) {
      for (String v : arg.vals()) {
        switch (arg.key()) {
          case "cfg" -> ids.add(Long.parseUnsignedLong(v));
          case "cfgj" -> {
            joint = true;
            if (v.equals("zero")) {
              if (arg.vals().size() != 1) {
                throw new IllegalArgumentException(
                    d.pos() + ": cannot mix 'zero' into configuration");
              }
            } else {
              idsj.add(Long.parseUnsignedLong(v));
            }
          }
          case "idx" -> idxs.add(index(d, v));
          case "votes" -> votes.add(vote(d, v));
          default -> throw new IllegalArgumentException(d.pos() + ": unknown arg " + arg.key());
        }
      }
    }
    MajorityConfig c = new MajorityConfig(ids);
    MajorityConfig cj = new MajorityConfig(idsj);
    List<Long> input = d.cmd().equals("vote") ? votes : idxs;
    JointConfig both = new JointConfig(c, cj);
    if (both.ids().size() != input.size()) {
      return "error: mismatched input (explicit or _) for voters "
          + both.ids().stream()
              .map(id -> Long.toUnsignedString(id) + ":{}")
              .collect(Collectors.joining(" ", "map[", "]"))
          + ": "
          + input.stream()
              .map(QuorumConformanceTest::index)
              .collect(Collectors.joining(" ", "[", "]"));
    }
    return switch (d.cmd()) {
      case "committed" ->
          joint
              ? jointCommitted(c, cj, lookup(idxs, ids, idsj))
              : majorityCommitted(c, lookup(idxs, ids, idsj));
      case "vote" -> vote(joint, c, cj, lookup(votes, ids, idsj));
      default -> throw new IllegalArgumentException(d.pos() + ": unknown command: " + d.cmd());
    };
  }

  private static String majorityCommitted(MajorityConfig c, Map<Long, Long> acks) {
    AckedIndexer l = indexer(acks);
    long idx = c.committedIndex(l);
    StringBuilder sb = new StringBuilder(c.describe(l));
    check(sb, NaiveQuorum.committed(c.ids(), l), idx, "via alternative computation");
    check(
        sb,
        new JointConfig(c, new MajorityConfig()).committedIndex(l),
        idx,
        "via zero-joint quorum");
    check(sb, new JointConfig(c, c).committedIndex(l), idx, "via self-joint quorum");
    // Lowering the ack of a voter that is below the committed index must not change the result.
    for (long id : c.ids()) {
      long own = acks.getOrDefault(id, ABSENT);
      if (Long.compareUnsigned(idx, own) > 0 && own > 0) {
        long lower = c.committedIndex(overlay(acks, id, own - 1));
        if (lower != idx) {
          sb.append(index(lower))
              .append(" <-- overlaying ")
              .append(Long.toUnsignedString(id))
              .append("->")
              .append(Long.toUnsignedString(own));
        }
        long zero = c.committedIndex(overlay(acks, id, ABSENT));
        if (zero != idx) {
          sb.append(index(zero))
              .append(" <-- overlaying ")
              .append(Long.toUnsignedString(id))
              .append("->0");
        }
      }
    }
    return sb.append(index(idx)).append('\n').toString();
  }

  private static String jointCommitted(MajorityConfig c, MajorityConfig cj, Map<Long, Long> acks) {
    AckedIndexer l = indexer(acks);
    JointConfig cc = new JointConfig(c, cj);
    long idx = cc.committedIndex(l);
    StringBuilder sb = new StringBuilder(cc.describe(l));
    check(sb, new JointConfig(cj, c).committedIndex(l), idx, "via symmetry");
    return sb.append(index(idx)).append('\n').toString();
  }

  private static String vote(
      boolean joint, MajorityConfig c, MajorityConfig cj, Map<Long, Long> ballots) {
    Map<Long, Boolean> votes = new HashMap<>();
    ballots.forEach((id, v) -> votes.put(id, v == VOTE_YES));
    if (!joint) {
      return c.voteResult(votes) + "\n";
    }
    VoteResult r = new JointConfig(c, cj).voteResult(votes);
    VoteResult swapped = new JointConfig(cj, c).voteResult(votes);
    return (swapped != r ? swapped + " <-- via symmetry\n" : "") + r + "\n";
  }

  private static void check(StringBuilder sb, long alternative, long idx, String how) {
    if (alternative != idx) {
      sb.append(index(alternative)).append(" <-- ").append(how).append('\n');
    }
  }

  /**
   * Assigns the values to the distinct voters in order of first appearance in cfg then cfgj, and
   * drops the placeholders, so that a voter in both halves needs only one value.
   */
  private static Map<Long, Long> lookup(List<Long> values, List<Long> ids, List<Long> idsj) {
    Map<Long, Long> l = new LinkedHashMap<>();
    int p = 0;
    for (long id : Stream.concat(ids.stream(), idsj.stream()).toList()) {
      if (!l.containsKey(id) && p < values.size()) {
        l.put(id, values.get(p++));
      }
    }
    l.values().removeIf(v -> v == ABSENT);
    return l;
  }

  private static AckedIndexer overlay(Map<Long, Long> acks, long id, long idx) {
    Map<Long, Long> m = new HashMap<>(acks);
    m.put(id, idx);
    m.values().removeIf(v -> v == ABSENT);
    return indexer(m);
  }

  private static AckedIndexer indexer(Map<Long, Long> acks) {
    return id -> acks.getOrDefault(id, AckedIndexer.NOT_FOUND);
  }

  private static long index(TestData d, String v) {
    if (v.equals("_")) {
      return ABSENT;
    }
    long n = Long.parseUnsignedLong(v);
    if (n == ABSENT) {
      throw new IllegalArgumentException(d.pos() + ": cannot use 0 as idx");
    }
    return n;
  }

  private static long vote(TestData d, String v) {
    return switch (v) {
      case "y" -> VOTE_YES;
      case "n" -> VOTE_NO;
      case "_" -> ABSENT;
      default -> throw new IllegalArgumentException(d.pos() + ": unknown vote: " + v);
    };
  }

  /** Go's {@code Index.String()}: decimal, or {@code ∞} for 2^64-1. */
  private static String index(long idx) {
    return idx == -1L ? "∞" : Long.toUnsignedString(idx);
  }
}
