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
 * applied (so the checker tests that promise); any other exception of a command leaves its outcome
 * unknown, and the write is retried with its idempotency key until it has a definite one ({@link
 * KeyedWrite}); only a write whose retries ran out is recorded {@code unknown}. A read
 * that throws had no effect and is {@code failed}. LOCAL reads may be stale by design, so they are
 * not put in the checked history; their values are kept for a weaker check (no value that was never
 * written).
 */
final class KvClient implements Runnable {


  /** Operation counts by kind and outcome, shared by the clients. */
  static final class Tally {
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String what) {
      add(what, 1);
    }

    void add(String what, long n) {
      counts.computeIfAbsent(what, k -> new LongAdder()).add(n);
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
  private final KeyedWrite writes;
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
      Map<String, Set<String>> localReads,
      Map<String, ApplyOnceCheck.Outcome> writes,
      boolean retryKeys) {
    this.clientId = clientId;
    this.random = random;
    this.cluster = cluster;
    this.history = history;
    this.keys = keys;
    this.tally = tally;
    this.localReads = localReads;
    this.writes = new KeyedWrite(
        random, () -> cluster.randomRunning(random).map(FaultCluster.Node::kv), retryKeys, tally, writes);
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
      Result r = writes.run("put", value, kv, store -> {
        store.put(value, key, value);
        return Result.ok();
      }, Result.ok());
      history.complete(id, r);
      if (r.isOk()) {
        lastSeen.put(key, value);
      }
    } else if (dice < 45) {
      String expected = random.nextInt(5) != 0 ? lastSeen.get(key)
          : random.nextBoolean() ? null : nextValueOf(random.nextInt(4) + 1);
      String value = nextValue();
      long id = history.invoke(clientId, Operation.cas(key, expected, value));
      Result r = writes.run("cas", value, kv,
          store -> Result.ok(store.compareAndSet(value, key, expected, value)), Result.unknown());
      history.complete(id, r);
      if (r.equals(Result.ok(true))) {
        lastSeen.put(key, value);
      }
    } else if (dice < 50) {
      String writeId = nextValue();
      long id = history.invoke(clientId, Operation.delete(key));
      Result r = writes.run("delete", writeId, kv,
          store -> Result.ok(store.delete(writeId, key)), Result.unknown());
      history.complete(id, r);
      if (r.isOk()) {
        lastSeen.remove(key);
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
