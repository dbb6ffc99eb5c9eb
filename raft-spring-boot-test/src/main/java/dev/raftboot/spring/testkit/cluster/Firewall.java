package dev.raftboot.spring.testkit.cluster;

import dev.raftboot.raftpb.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The faults of an {@link InMemoryNetwork}: which messages between which nodes are dropped,
 * delayed, lost at random, duplicated or reordered. Rules add up until {@link #heal()}; a message
 * is dropped if any rule drops it, and otherwise delayed by the longest delay that applies.
 * Thread-safe; a change applies to every message not yet delivered, including delayed ones.
 *
 * <p>Dropped messages look to raft like a refused connection: the sender's transport reports the
 * peer unreachable (a snapshot as failed) and raft retries later. Messages {@linkplain #lose lost}
 * at random look like a lost packet: the sender is not told (only a lost snapshot is reported
 * failed, or its sender would wait for it forever). The random choices of {@link #lose}, {@link
 * #duplicate} and {@link #jitter} come from one generator, seeded with {@link #seed}.
 */
public final class Firewall {

  private enum Kind {
    DROP,
    DELAY,
    LOSE,
    DUPLICATE,
    JITTER
  }

  /** One rule: matches messages by sender, recipient and type. */
  private record Rule(Link link, Set<MessageType> types, Kind kind, Duration delay, double probability) {

    boolean matches(long from, long to, MessageType type) {
      return link.cuts(from, to) && (types.isEmpty() || types.contains(type));
    }
  }

  @FunctionalInterface
  private interface Link {
    boolean cuts(long from, long to);
  }

  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private SplittableRandom random = new SplittableRandom();

  /** Cuts {@code node} off from every other node, both ways. */
  public Firewall isolate(long node) {
    return drop((from, to) -> from == node || to == node, Set.of());
  }

  /**
   * Splits the cluster: a message between two nodes of different groups is dropped. A node in no
   * group is cut off from every group.
   */
  @SafeVarargs
  public final Firewall partition(Set<Long>... groups) {
    List<Set<Long>> copy = new ArrayList<>();
    for (Set<Long> g : groups) {
      copy.add(Set.copyOf(g));
    }
    return drop((from, to) -> copy.stream().noneMatch(g -> g.contains(from) && g.contains(to)), Set.of());
  }

  /** Drops every message of the given types (all types if none is given), between all nodes. */
  public Firewall drop(MessageType... types) {
    return drop((from, to) -> true, types(types));
  }

  /** Drops the messages of the given types (all if none) from {@code from} to {@code to}, one way. */
  public Firewall drop(long from, long to, MessageType... types) {
    return drop((f, t) -> f == from && t == to, types(types));
  }

  /** Delays every message of the given types (all if none) by {@code delay}. */
  public Firewall delay(Duration delay, MessageType... types) {
    return add(new Rule((from, to) -> true, types(types), Kind.DELAY, delay, 0));
  }

  /** Delays the messages of the given types (all if none) from {@code from} to {@code to}. */
  public Firewall delay(long from, long to, Duration delay, MessageType... types) {
    return add(new Rule((f, t) -> f == from && t == to, types(types), Kind.DELAY, delay, 0));
  }

  /**
   * Loses each message of the given types (all if none) with {@code probability}, silently, as a
   * lossy link loses packets.
   */
  public Firewall lose(double probability, MessageType... types) {
    return add(new Rule((from, to) -> true, types(types), Kind.LOSE, Duration.ZERO, probability(probability)));
  }

  /** Delivers each message of the given types (all if none) twice with {@code probability}. */
  public Firewall duplicate(double probability, MessageType... types) {
    return add(new Rule((from, to) -> true, types(types), Kind.DUPLICATE, Duration.ZERO, probability(probability)));
  }

  /**
   * Holds each message of the given types (all if none), and each copy of a duplicated one, back by
   * its own random delay between 0 and {@code max}, so that messages overtake each other.
   */
  public Firewall jitter(Duration max, MessageType... types) {
    return add(new Rule((from, to) -> true, types(types), Kind.JITTER, max, 0));
  }

  /** Seeds the random choices of {@link #lose}, {@link #duplicate} and {@link #jitter}. */
  public synchronized Firewall seed(long seed) {
    random = new SplittableRandom(seed);
    return this;
  }

  /** Removes every rule: from now on every message is delivered at once. */
  public Firewall heal() {
    rules.clear();
    return this;
  }

  /** Whether a message of {@code type} from {@code from} to {@code to} is dropped now. */
  public boolean drops(long from, long to, MessageType type) {
    return rules.stream().anyMatch(r -> r.kind == Kind.DROP && r.matches(from, to, type));
  }

  /**
   * How long a message of {@code type} from {@code from} to {@code to} is held back now: the
   * longest fixed delay, or a random one drawn for this call under {@link #jitter}.
   */
  public Duration delayOf(long from, long to, MessageType type) {
    Duration longest = Duration.ZERO;
    for (Rule r : rules) {
      Duration d = Duration.ZERO;
      if (r.matches(from, to, type) && r.kind == Kind.DELAY) {
        d = r.delay;
      } else if (r.matches(from, to, type) && r.kind == Kind.JITTER) {
        d = Duration.ofNanos(draw(rng -> rng.nextLong(r.delay.toNanos() + 1)));
      }
      if (d.compareTo(longest) > 0) {
        longest = d;
      }
    }
    return longest;
  }

  /** Whether this message is lost at random (drawn once per call). */
  boolean loses(long from, long to, MessageType type) {
    return chance(Kind.LOSE, from, to, type);
  }

  /** Whether this message is delivered twice (drawn once per call). */
  boolean duplicates(long from, long to, MessageType type) {
    return chance(Kind.DUPLICATE, from, to, type);
  }

  private boolean chance(Kind kind, long from, long to, MessageType type) {
    for (Rule r : rules) {
      if (r.kind == kind && r.matches(from, to, type) && draw(rng -> rng.nextDouble() < r.probability ? 1 : 0) == 1) {
        return true;
      }
    }
    return false;
  }

  private synchronized long draw(java.util.function.ToLongFunction<SplittableRandom> choice) {
    return choice.applyAsLong(random);
  }

  private Firewall drop(Link link, Set<MessageType> types) {
    return add(new Rule(link, types, Kind.DROP, Duration.ZERO, 0));
  }

  private Firewall add(Rule rule) {
    rules.add(rule);
    return this;
  }

  private static double probability(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("a probability is between 0 and 1, not " + p);
    }
    return p;
  }

  private static Set<MessageType> types(MessageType... types) {
    return types.length == 0 ? Set.of() : EnumSet.of(types[0], types);
  }
}
