package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A thread-safe recorder of calls to an object of the user's own, for {@link ModelChecker}: the
 * counterpart of {@link History} for a {@link Model}. The same rules hold: {@link #invoke} just
 * before the call is sent, one of {@link #ok}, {@link #failed} or {@link #unknown} just after its
 * outcome is known, at most one call in flight per client, and a call never completed counts as
 * unknown.
 *
 * @param <C> a call, with its arguments
 * @param <R> what a call returns
 */
public final class ModelHistory<C, R> {

    /** How a call ended. */
    public enum Outcome {
        /** It returned {@link Entry#returned()}. */
        OK,
        /** It certainly had no effect; the checker leaves it out. */
        FAILED,
        /** It may have taken effect, now or later, or never. */
        UNKNOWN
    }

    /**
     * One call.
     *
     * @param id       the recorder's id of the call
     * @param clientId who made it
     * @param call     what was called
     * @param outcome  how it ended
     * @param returned what it returned, when {@code outcome} is {@code OK}
     * @param invoked  logical time of the invocation
     * @param answered logical time of the outcome ({@link Long#MAX_VALUE} unless {@code OK})
     */
    public record Entry<C, R>(long id, int clientId, C call, Outcome outcome, R returned, long invoked,
            long answered) {

        @Override
        public String toString() {
            return "client " + clientId + ": " + call
                    + (outcome == Outcome.OK ? " -> " + returned : " -> " + outcome.name().toLowerCase());
        }
    }

    private final List<Entry<C, R>> entries = new ArrayList<>();
    private final Map<Integer, Long> inFlight = new HashMap<>();
    private long clock;

    /**
     * Records that {@code clientId} is about to make {@code call}.
     *
     * @return the id to complete the call with
     * @throws IllegalStateException if the client still has a call in flight
     */
    public synchronized long invoke(int clientId, C call) {
        Objects.requireNonNull(call, "call");
        if (inFlight.containsKey(clientId)) {
            throw new IllegalStateException("client " + clientId
                    + " already has a call in flight; complete it first or use one client id per thread");
        }
        long id = entries.size();
        inFlight.put(clientId, id);
        entries.add(new Entry<>(id, clientId, call, Outcome.UNKNOWN, null, ++clock, Long.MAX_VALUE));
        return id;
    }

    /** Records that call {@code id} returned {@code returned}. */
    public synchronized void ok(long id, R returned) {
        complete(id, Outcome.OK, returned, ++clock);
    }

    /** Records that call {@code id} certainly had no effect. */
    public synchronized void failed(long id) {
        complete(id, Outcome.FAILED, null, Long.MAX_VALUE);
    }

    /** Records that call {@code id} may or may not have taken effect. */
    public synchronized void unknown(long id) {
        complete(id, Outcome.UNKNOWN, null, Long.MAX_VALUE);
    }

    /** Every call so far, in invocation order. */
    public synchronized List<Entry<C, R>> entries() {
        return List.copyOf(entries);
    }

    private void complete(long id, Outcome outcome, R returned, long answered) {
        Entry<C, R> e = entries.get(Math.toIntExact(id));
        if (!inFlight.remove(e.clientId(), id)) {
            throw new IllegalStateException("call " + id + " (" + e.call() + ") is already complete");
        }
        entries.set((int) id, new Entry<>(id, e.clientId(), e.call(), outcome, returned, e.invoked(), answered));
    }
}
