package dev.raftboot.spring.faults;

import dev.raftboot.spring.api.NotAppliedException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.testkit.linearizability.History;
import dev.raftboot.testkit.linearizability.Operation;
import dev.raftboot.testkit.linearizability.Result;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * One client thread: runs random puts, deletes and compare-and-sets through the {@code
 * ReplicatedCommand} methods of a random running node's {@link KvStore}, and reads at every {@link
 * ReadConsistency}, recording each operation in the shared {@link History} under its own client
 * id.
 *
 * <p>Outcomes: an answer is {@code ok} (a compare-and-set that did not match is {@code ok(false)});
 * a {@link NotAppliedException} is {@code failed}, as the runtime promises the command was not
 * applied (so the checker tests that promise); any other exception of a command is {@code
 * unknown}, since the command may have been proposed. A read
 * that throws had no effect and is {@code failed}. LOCAL reads may be stale by design, so they are
 * not put in the checked history; their values are kept for a weaker check (no value that was never
 * written).
 */
final class KvClient implements Runnable {

  /** Operation counts by kind and outcome, shared by the clients. */
  static final class Tally {
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String what) {
      counts.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> out = new java.util.TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }

  private final int clientId;
  private final SplittableRandom random;
  private final FaultCluster cluster;
  private final History history;
  private final List<String> keys;
  private final Tally tally;
  /** Values LOCAL reads returned, by key (absent as ""). */
  private final Map<String, Set<String>> localReads;
  private final Map<String, String> lastSeen = new HashMap<>();
  private volatile boolean stop;
  private int seq;

  KvClient(
      int clientId,
      SplittableRandom random,
      FaultCluster cluster,
      History history,
      List<String> keys,
      Tally tally,
      Map<String, Set<String>> localReads) {
    this.clientId = clientId;
    this.random = random;
    this.cluster = cluster;
    this.history = history;
    this.keys = keys;
    this.tally = tally;
    this.localReads = localReads;
  }

  void stop() {
    stop = true;
  }

  @Override
  public void run() {
    while (!stop) {
      Optional<FaultCluster.Node> node = cluster.randomRunning(random);
      if (node.isEmpty()) {
        pause(20);
        continue;
      }
      step(node.get().kv());
      if (random.nextInt(4) == 0) {
        pause(random.nextInt(3));
      }
    }
  }

  private void step(KvStore kv) {
    String key = keys.get(random.nextInt(keys.size()));
    int dice = random.nextInt(100);
    if (dice < 25) {
      String value = nextValue();
      long id = history.invoke(clientId, Operation.put(key, value));
      try {
        kv.put(key, value);
        complete(id, "put", Result.ok());
        lastSeen.put(key, value);
      } catch (RuntimeException e) {
        completeCommand(id, "put", e);
      }
    } else if (dice < 45) {
      String expected = lastSeen.get(key);
      if (random.nextInt(5) == 0) {
        expected = random.nextBoolean() ? null : nextValueOf(random.nextInt(4) + 1);
      }
      String value = nextValue();
      long id = history.invoke(clientId, Operation.cas(key, expected, value));
      try {
        boolean swapped = kv.compareAndSet(key, expected, value);
        complete(id, "cas", Result.ok(swapped));
        if (swapped) {
          lastSeen.put(key, value);
        }
      } catch (RuntimeException e) {
        completeCommand(id, "cas", e);
      }
    } else if (dice < 50) {
      long id = history.invoke(clientId, Operation.delete(key));
      try {
        boolean existed = kv.delete(key);
        complete(id, "delete", Result.ok(existed));
        lastSeen.remove(key);
      } catch (RuntimeException e) {
        completeCommand(id, "delete", e);
      }
    } else if (dice < 70) {
      checkedRead(kv, key, ReadConsistency.LINEARIZABLE);
    } else if (dice < 85) {
      checkedRead(kv, key, ReadConsistency.LEASE);
    } else {
      try {
        String v = kv.getLocal(key);
        localReads.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(v == null ? "" : v);
        tally.add("get-local.ok");
      } catch (RuntimeException e) {
        tally.add("get-local.failed");
      }
    }
  }

  private void checkedRead(KvStore kv, String key, ReadConsistency consistency) {
    String what = "get-" + consistency.name().toLowerCase(java.util.Locale.ROOT);
    long id = history.invoke(clientId, Operation.get(key));
    try {
      String v = consistency == ReadConsistency.LINEARIZABLE ? kv.getLinearizable(key) : kv.getLease(key);
      complete(id, what, Result.okValue(v));
      if (v == null) {
        lastSeen.remove(key);
      } else {
        lastSeen.put(key, v);
      }
    } catch (RuntimeException e) {
      history.complete(id, Result.failed());
      tally.add(what + ".failed");
      tally.add("cause." + unwrap(e).getClass().getSimpleName());
    }
  }

  private void complete(long id, String what, Result result) {
    history.complete(id, result);
    tally.add(what + ".ok");
  }

  private void completeCommand(long id, String what, RuntimeException e) {
    Throwable cause = unwrap(e);
    tally.add("cause." + cause.getClass().getSimpleName());
    if (cause instanceof NotAppliedException) {
      history.complete(id, Result.failed());
      tally.add(what + ".failed");
    } else {
      history.complete(id, Result.unknown());
      tally.add(what + ".unknown");
    }
  }

  static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof UndeclaredThrowableException
            || cur instanceof CompletionException
            || cur instanceof ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  private String nextValue() {
    return "c" + clientId + "-" + (++seq);
  }

  /** A value this client wrote a while ago, as a plausible stale expectation. */
  private String nextValueOf(int back) {
    return "c" + clientId + "-" + Math.max(1, seq - back);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
