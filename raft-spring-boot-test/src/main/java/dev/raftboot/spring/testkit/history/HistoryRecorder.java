package dev.raftboot.spring.testkit.history;

import dev.raftboot.spring.api.NotAppliedException;
import dev.raftboot.testkit.linearizability.History;
import dev.raftboot.testkit.linearizability.ModelHistory;
import dev.raftboot.testkit.linearizability.Operation;
import dev.raftboot.testkit.linearizability.Result;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Records the application's own calls against a cluster into a history for raft-testkit's
 * checkers, classifying failures the way raftboot documents them.
 *
 * <p>A call that returns is answered. A call that fails with a {@link NotAppliedException}
 * (no leader, node not running, read not confirmed, invalid command) certainly was not applied and
 * is recorded as failed. Any other exception may come after the call took effect (a {@code
 * CommandTimeoutException}, an exception the replicated method itself threw), so it is recorded as
 * unknown: the checker then
 * considers both possibilities, which keeps the check sound. The exception is rethrown either way.
 *
 * <p>Thread-safe: as the histories are. One client id per thread.
 */
public final class HistoryRecorder {

  private HistoryRecorder() {}

  /**
   * Runs {@code action} as {@code call} of {@code client}, for {@link
   * dev.raftboot.testkit.linearizability.ModelChecker}.
   */
  public static <C, R> R record(ModelHistory<C, R> history, int client, C call, Supplier<R> action) {
    long id = history.invoke(client, call);
    R returned;
    try {
      returned = action.get();
    } catch (NotAppliedException e) {
      history.failed(id);
      throw e;
    } catch (RuntimeException | Error e) {
      history.unknown(id);
      throw e;
    }
    history.ok(id, returned);
    return returned;
  }

  /**
   * Runs {@code action} as {@code operation} of {@code client}, for the key-value {@link
   * dev.raftboot.testkit.linearizability.LinearizabilityChecker}; {@code result} turns what the
   * action returned into the operation's result (for example {@code Result::okValue} for a get).
   */
  public static <T> T record(
      History history, int client, Operation operation, Supplier<T> action, Function<T, Result> result) {
    long id = history.invoke(client, operation);
    T returned;
    try {
      returned = action.get();
    } catch (NotAppliedException e) {
      history.complete(id, Result.failed());
      throw e;
    } catch (RuntimeException | Error e) {
      history.complete(id, Result.unknown());
      throw e;
    }
    history.complete(id, result.apply(returned));
    return returned;
  }
}
