package dev.raftboot.spring.faults;

import dev.raftboot.spring.testkit.cluster.Firewall;
import dev.raftboot.testkit.linearizability.History;
import dev.raftboot.testkit.linearizability.HistoryFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Injects faults into a {@link FaultCluster} in rounds: one fault, held for a random while, then
 * healed (a killed node is restarted on its database), then a quiet spell. Every fault is counted
 * by kind and logged with its time since the start, and stamped with the history's clock for the
 * saved schedule ({@link #schedule()}).
 */
final class Nemesis implements Runnable {

  enum Fault {
    /** The leader is cut off from everyone else, both ways. */
    PARTITION_LEADER("partition-leader"),
    /** A random minority is cut off from the majority, both ways. */
    PARTITION_MINORITY("partition-minority"),
    /** The others hear nothing from the leader; it hears them. */
    ONE_WAY_FROM_LEADER("one-way-from-leader"),
    /** The leader hears nothing from the others; they hear it. */
    ONE_WAY_TO_LEADER("one-way-to-leader"),
    /** A share of all messages is lost. */
    DROP("drop"),
    /** Every message is delayed by its own random amount, so messages reorder. */
    DELAY("delay"),
    /** A share of all messages is delivered twice (each copy with its own delay). */
    DUPLICATE("duplicate"),
    /** Drops, delays and duplicates together. */
    STORM("drop+delay+duplicate"),
    /** Random nodes (up to a minority) are halted, then restarted on their databases. */
    KILL("kill-restart"),
    /** The leader is halted, then restarted on its database. */
    KILL_LEADER("kill-leader-restart");

    final String label;

    Fault(String label) {
      this.label = label;
    }
  }

  private final FaultCluster cluster;
  private final History history;
  private final SplittableRandom random;
  private final long startNanos;
  private final Map<String, LongAdder> injected = new ConcurrentHashMap<>();
  private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
  private final List<HistoryFile.Fault> schedule = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> killed = new ArrayList<>();
  private boolean networkFaulted;
  private volatile boolean stop;
  private volatile Throwable failure;

  Nemesis(FaultCluster cluster, History history, SplittableRandom random, long startNanos) {
    this.cluster = cluster;
    this.history = history;
    this.random = random;
    this.startNanos = startNanos;
  }

  void stop() {
    stop = true;
  }

  Throwable failure() {
    return failure;
  }

  Map<String, Long> injected() {
    Map<String, Long> out = new TreeMap<>();
    injected.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  List<String> timeline() {
    synchronized (timeline) {
      return List.copyOf(timeline);
    }
  }

  /** The timeline on the history's clock. */
  List<HistoryFile.Fault> schedule() {
    synchronized (schedule) {
      return List.copyOf(schedule);
    }
  }

  @Override
  public void run() {
    try {
      sleep(300 + random.nextInt(500));
      while (!stop) {
        Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
        String what = inject(fault);
        if (what != null) {
          injected.computeIfAbsent(fault.label, k -> new LongAdder()).increment();
          log(fault.label + ": " + what);
        }
        sleep(700 + random.nextInt(1800));
        heal();
        sleep(300 + random.nextInt(900));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      failure = t;
      log("nemesis failed: " + t);
    } finally {
      try {
        heal();
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        }
      }
    }
  }

  /** Heals the network and restarts every node this nemesis stopped. */
  synchronized void heal() {
    boolean changed = networkFaulted;
    cluster.firewall().heal();
    networkFaulted = false;
    for (long id : killed) {
      long t0 = System.nanoTime();
      cluster.start(id);
      log(String.format("restarted node %d on its database (%.1f s)", id, (System.nanoTime() - t0) / 1e9));
    }
    if (changed) {
      log("healed the network");
    }
    killed.clear();
  }

  private synchronized String inject(Fault fault) throws InterruptedException {
    Firewall net = cluster.firewall();
    List<Long> ids = cluster.ids();
    networkFaulted = fault != Fault.KILL && fault != Fault.KILL_LEADER;
    switch (fault) {
      case PARTITION_LEADER -> {
        Optional<Long> leader = cluster.leader();
        if (leader.isEmpty()) {
          return null;
        }
        List<Long> rest = new ArrayList<>(ids);
        rest.remove(leader.get());
        net.partition(Set.of(leader.get()), Set.copyOf(rest));
        return "leader " + leader.get() + " | " + rest;
      }
      case PARTITION_MINORITY -> {
        List<Long> shuffled = shuffled(ids);
        int minority = 1 + random.nextInt((ids.size() - 1) / 2);
        List<Long> small = shuffled.subList(0, minority);
        List<Long> big = shuffled.subList(minority, shuffled.size());
        net.partition(Set.copyOf(small), Set.copyOf(big));
        return small + " | " + big;
      }
      case ONE_WAY_FROM_LEADER, ONE_WAY_TO_LEADER -> {
        Optional<Long> leader = cluster.leader();
        if (leader.isEmpty()) {
          return null;
        }
        List<Long> rest = new ArrayList<>(ids);
        rest.remove(leader.get());
        if (fault == Fault.ONE_WAY_FROM_LEADER) {
          blockOneWay(List.of(leader.get()), rest);
          return leader.get() + " -> " + rest + " lost";
        }
        blockOneWay(rest, List.of(leader.get()));
        return rest + " -> " + leader.get() + " lost";
      }
      case DROP -> {
        double p = 0.1 + 0.3 * random.nextDouble();
        net.lose(p);
        return String.format("p=%.2f", p);
      }
      case DELAY -> {
        long max = 5 + random.nextInt(56);
        net.jitter(Duration.ofMillis(max));
        return "0-" + max + " ms";
      }
      case DUPLICATE -> {
        double p = 0.1 + 0.4 * random.nextDouble();
        long max = 3 + random.nextInt(48);
        net.duplicate(p).jitter(Duration.ofMillis(max));
        return String.format("p=%.2f, copies delayed 0-%d ms", p, max);
      }
      case STORM -> {
        double drop = 0.05 + 0.15 * random.nextDouble();
        double dup = 0.05 + 0.25 * random.nextDouble();
        long max = 5 + random.nextInt(36);
        net.lose(drop).duplicate(dup).jitter(Duration.ofMillis(max));
        return String.format("drop p=%.2f, duplicate p=%.2f, delay 0-%d ms", drop, dup, max);
      }
      case KILL -> {
        int count = 1 + random.nextInt((ids.size() - 1) / 2);
        List<Long> victims = new ArrayList<>(shuffled(ids).subList(0, count));
        for (long id : victims) {
          cluster.kill(id);
          killed.add(id);
        }
        return "halted " + victims;
      }
      case KILL_LEADER -> {
        Optional<Long> leader = cluster.leader();
        if (leader.isEmpty()) {
          return null;
        }
        cluster.kill(leader.get());
        killed.add(leader.get());
        return "halted leader " + leader.get();
      }
    }
    throw new IllegalStateException("unknown fault " + fault);
  }

  /** Loses every message from a node of {@code from} to a node of {@code to}. */
  private void blockOneWay(List<Long> from, List<Long> to) {
    for (long f : from) {
      for (long t : to) {
        cluster.firewall().drop(f, t);
      }
    }
  }

  private List<Long> shuffled(List<Long> ids) {
    List<Long> out = new ArrayList<>(ids);
    for (int i = out.size() - 1; i > 0; i--) {
      Collections.swap(out, i, random.nextInt(i + 1));
    }
    return out;
  }

  void log(String line) {
    String entry = String.format("%7.2fs %s", (System.nanoTime() - startNanos) / 1e9, line);
    timeline.add(entry);
    schedule.add(new HistoryFile.Fault(history.now(), entry.trim()));
  }

  private void sleep(long millis) throws InterruptedException {
    long until = System.nanoTime() + millis * 1_000_000L;
    while (!stop) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(50, Math.max(1, left / 1_000_000L)));
    }
  }
}
