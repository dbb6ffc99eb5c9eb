package dev.raftboot.spring.testkit.cluster;

import dev.raftboot.raftpb.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The faults of an {@link InMemoryNetwork}: which messages between which nodes are dropped or
 * delayed. Rules add up until {@link #heal()}; a message is dropped if any rule drops it, and
 * otherwise delayed by the longest delay that applies. Thread-safe; a change applies to every
 * message not yet delivered, including delayed ones.
 *
 * <p>Dropped messages look to raft like a lost network packet: the sender's transport reports the
 * peer unreachable (a snapshot as failed) and raft retries later.
 */
public final class Firewall {

  /** One rule: matches messages by sender, recipient and type. */
  private record Rule(Link link, Set<MessageType> types, Duration delay, boolean drop) {

    boolean matches(long from, long to, MessageType type) {
      return link.cuts(from, to) && (types.isEmpty() || types.contains(type));
    }
  }

  @FunctionalInterface
  private interface Link {
    boolean cuts(long from, long to);
  }

  private final List<Rule> rules = new CopyOnWriteArrayList<>();

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
    rules.add(new Rule((from, to) -> true, types(types), delay, false));
    return this;
  }

  /** Delays the messages of the given types (all if none) from {@code from} to {@code to}. */
  public Firewall delay(long from, long to, Duration delay, MessageType... types) {
    rules.add(new Rule((f, t) -> f == from && t == to, types(types), delay, false));
    return this;
  }

  /** Removes every rule: from now on every message is delivered at once. */
  public Firewall heal() {
    rules.clear();
    return this;
  }

  /** Whether a message of {@code type} from {@code from} to {@code to} is dropped now. */
  public boolean drops(long from, long to, MessageType type) {
    return rules.stream().anyMatch(r -> r.drop && r.matches(from, to, type));
  }

  /** How long a message of {@code type} from {@code from} to {@code to} is held back now. */
  public Duration delayOf(long from, long to, MessageType type) {
    Duration longest = Duration.ZERO;
    for (Rule r : rules) {
      if (!r.drop && r.matches(from, to, type) && r.delay.compareTo(longest) > 0) {
        longest = r.delay;
      }
    }
    return longest;
  }

  private Firewall drop(Link link, Set<MessageType> types) {
    rules.add(new Rule(link, types, Duration.ZERO, true));
    return this;
  }

  private static Set<MessageType> types(MessageType... types) {
    return types.length == 0 ? Set.of() : EnumSet.of(types[0], types);
  }
}
