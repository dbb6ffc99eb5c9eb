package dev.raftboot.spring.faults;

import dev.raftboot.spring.api.AlreadyAppliedException;
import dev.raftboot.spring.api.IdempotencyKey;
import dev.raftboot.spring.api.NotAppliedException;
import dev.raftboot.testkit.linearizability.Result;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs writes on {@link KvStore}s the way a careful client does: each under an idempotency key
 * (its write id), an unknown outcome retried with the same key until it is definite, the final
 * outcome of every write kept for {@link ApplyOnceCheck}. Used by one thread at a time.
 */
final class KeyedWrite {

  /**
   * Attempts of one write before its outcome is left unknown: with the pauses and a 1.5 s command
   * timeout, under the 90 s the run waits for its clients to stop.
   */
  static final int MAX_ATTEMPTS = 30;

  private final SplittableRandom random;
  private final Supplier<Optional<KvStore>> nodes;
  private final boolean retryKeys;
  private final KvClient.Tally tally;
  private final Map<String, ApplyOnceCheck.Outcome> outcomes;

  /**
   * @param nodes a running node's store for the next retry, if one runs
   * @param retryKeys false to retry without the key (the negative control)
   * @param outcomes where the final outcome of each write goes, by write id (thread-safe)
   */
  KeyedWrite(
      SplittableRandom random,
      Supplier<Optional<KvStore>> nodes,
      boolean retryKeys,
      KvClient.Tally tally,
      Map<String, ApplyOnceCheck.Outcome> outcomes) {
    this.random = random;
    this.nodes = nodes;
    this.retryKeys = retryKeys;
    this.tally = tally;
    this.outcomes = outcomes;
  }

  /**
   * Runs one write until it has a definite outcome: an answer, or a {@link NotAppliedException}
   * before any attempt could have been applied. Any other failure leaves the outcome unknown, and
   * the write is tried again, on a random running node, after a growing pause, under the same
   * idempotency key (unless the run turned keys off), at most {@value #MAX_ATTEMPTS} times. A
   * {@code NotAppliedException} after an unknown attempt says only that this attempt was not
   * applied, so the retries go on. A history records the write as one operation, from the first
   * attempt to the final answer: under the key, whichever attempt reached the log first took
   * effect, inside that interval, and the others did nothing.
   *
   * @param alreadyApplied what to record when a retry hears {@link AlreadyAppliedException}: the
   *     write took effect once, its return value is lost
   */
  Result run(
      String what, String writeId, KvStore first, Function<KvStore, Result> attempt, Result alreadyApplied) {
    boolean maybeApplied = false;
    KvStore kv = first;
    for (int n = 1; ; n++) {
      try (IdempotencyKey.Scope scope = retryKeys ? IdempotencyKey.use(writeId) : null) {
        Result r = attempt.apply(kv);
        return outcome(what, writeId, n, ApplyOnceCheck.Outcome.APPLIED, what + ".ok", r);
      } catch (RuntimeException e) {
        Throwable cause = KvClient.unwrap(e);
        tally.add("cause." + cause.getClass().getSimpleName());
        if (cause instanceof AlreadyAppliedException) {
          return outcome(what, writeId, n, ApplyOnceCheck.Outcome.APPLIED, what + ".ok", alreadyApplied);
        }
        if (cause instanceof NotAppliedException && !maybeApplied) {
          return outcome(what, writeId, n, ApplyOnceCheck.Outcome.NOT_APPLIED, what + ".failed", Result.failed());
        }
        maybeApplied |= !(cause instanceof NotAppliedException);
        if (n == MAX_ATTEMPTS) {
          return outcome(what, writeId, n, ApplyOnceCheck.Outcome.UNKNOWN, what + ".unknown", Result.unknown());
        }
      }
      pause(Math.min(1000, 20L << Math.min(n, 6)) + random.nextInt(20));
      kv = nodes.get().orElse(kv);
    }
  }

  private Result outcome(
      String what, String writeId, int attempts, ApplyOnceCheck.Outcome outcome, String count, Result r) {
    outcomes.put(writeId, outcome);
    tally.add(count);
    if (attempts > 1) {
      tally.add("retried");
      tally.add("retry.attempts", attempts - 1);
      if (outcome != ApplyOnceCheck.Outcome.UNKNOWN) {
        tally.add("retry.resolved");
      }
    }
    return r;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
