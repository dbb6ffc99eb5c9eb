package dev.raftboot.testkit.linearizability;

import java.util.Objects;

/**
 * One operation of a history: who invoked what, when, and how it ended.
 *
 * <p>Times are logical and only their order matters: operation {@code a} precedes operation
 * {@code b} in real time exactly when {@code a.responseTime() < b.invokeTime()}. Equal times are
 * treated as overlapping. {@link History} hands out strictly increasing times from one counter, so
 * any response recorded before an invocation gets the smaller time. Entries built by hand (for
 * example from a log) may use any monotonic clock.
 *
 * <p>An entry whose result is {@link Result#unknown() unknown} has, for the checker, a response time
 * of +&infin; whatever {@link #responseTime()} says; {@link History} records
 * {@link Long#MAX_VALUE} for operations that never completed and the moment the client gave up
 * otherwise.
 *
 * @param id           identifies the entry within its history
 * @param clientId     the client (thread, process, connection) that issued the operation
 * @param operation    what was asked
 * @param result       how it ended
 * @param invokeTime   when the client issued it
 * @param responseTime when the client learned the outcome ({@link Long#MAX_VALUE} if never)
 */
public record HistoryEntry(long id, int clientId, Operation operation, Result result, long invokeTime,
        long responseTime) {

    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException if the result does not fit the operation (see
     *                                  {@link KvModel#requireCompatible}), or the response time is
     *                                  before the invocation
     */
    public HistoryEntry {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(result, "result");
        KvModel.requireCompatible(operation, result);
        if (responseTime < invokeTime) {
            throw new IllegalArgumentException("entry " + id + ": response time " + responseTime
                    + " is before invocation time " + invokeTime);
        }
    }

    /** The key the operation touches. */
    public String key() {
        return operation.key();
    }

    /** Returns a copy of this entry with another result (useful to build variations in tests). */
    public HistoryEntry withResult(Result newResult) {
        return new HistoryEntry(id, clientId, operation, newResult, invokeTime, responseTime);
    }

    @Override
    public String toString() {
        return "#" + id + " client " + clientId + ": " + operation + " -> " + result + " [" + invokeTime + ", "
                + (result.isUnknown() ? "never" : Format.time(responseTime)) + "]";
    }
}
