package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A thread-safe recorder of what concurrent clients did to a store.
 *
 * <p>Each client wraps every request in two calls:
 * <pre>{@code
 * long id = history.invoke(clientId, Operation.cas("k", "v1", "v2"));   // just BEFORE sending
 * Result r;
 * try {
 *     boolean swapped = client.compareAndSet("k", "v1", "v2");
 *     r = Result.ok(swapped);                      // the store answered, either way
 * } catch (RejectedBeforeSendingException e) {
 *     r = Result.failed();                         // certainly had no effect
 * } catch (TimeoutException | IOException e) {
 *     r = Result.unknown();                        // may have taken effect, now or later
 * }
 * history.complete(id, r);                          // just AFTER the outcome is known
 * }</pre>
 *
 * <p>Calling {@link #invoke} before the request is sent and {@link #complete} after the answer
 * arrived widens each operation's interval to include the real one, which is what makes the check
 * sound: the checker may only assume that {@code a} happened before {@code b} when {@code a}'s
 * recorded response precedes {@code b}'s recorded invocation.
 *
 * <p>Times come from a single counter that the recorder advances under a lock, so they are strictly
 * increasing and consistent with the order in which the calls happened across threads. (Wall-clock
 * readings such as {@link System#nanoTime()} can tie; a counter cannot.)
 *
 * <p>A client may have at most one operation in flight: it must complete one before invoking the
 * next. A client that pipelines requests should use one client id per concurrent stream. A client
 * whose operation ended {@link Result#unknown() unknown} may go on invoking new ones. An operation
 * that is never completed (the client thread died) counts as unknown when the history is checked.
 */
public final class History {

    private final List<Slot> slots = new ArrayList<>();
    private final Map<Integer, Long> inFlight = new HashMap<>();
    private long clock;

    /** Creates an empty history. */
    public History() {
    }

    /**
     * Records that {@code clientId} is about to perform {@code op}.
     *
     * @return the id to pass to {@link #complete}
     * @throws IllegalStateException if the client still has an operation in flight
     */
    public synchronized long invoke(int clientId, Operation op) {
        Objects.requireNonNull(op, "op");
        Long pending = inFlight.get(clientId);
        if (pending != null) {
            throw new IllegalStateException("client " + clientId + " invoked " + op + " while operation #"
                    + pending + " (" + slots.get(pending.intValue()).op + ") is still in flight;"
                    + " complete it first or use a separate client id per concurrent stream");
        }
        long id = slots.size();
        slots.add(new Slot(clientId, op, ++clock));
        inFlight.put(clientId, id);
        return id;
    }

    /**
     * Records the outcome of operation {@code id}.
     *
     * @throws IllegalArgumentException if {@code id} was not returned by {@link #invoke} on this
     *                                  history, or the result does not fit the operation
     * @throws IllegalStateException    if the operation was already completed
     */
    public synchronized void complete(long id, Result result) {
        Objects.requireNonNull(result, "result");
        if (id < 0 || id >= slots.size()) {
            throw new IllegalArgumentException("no operation with id " + id);
        }
        Slot slot = slots.get((int) id);
        if (slot.result != null) {
            throw new IllegalStateException("operation #" + id + " (" + slot.op + ") was already completed with "
                    + slot.result);
        }
        KvModel.requireCompatible(slot.op, result);
        slot.result = result;
        slot.responseTime = ++clock;
        inFlight.remove(slot.clientId);
    }

    /**
     * A time of this history's clock, later than every invocation and response recorded so far and
     * earlier than every later one: the time to give an event that is not an operation, such as a
     * fault the test injects ({@link HistoryFile.Fault}).
     */
    public synchronized long now() {
        return ++clock;
    }

    /** Number of operations invoked so far. */
    public synchronized int size() {
        return slots.size();
    }

    /**
     * A snapshot of the history, ordered by id (which is invocation order). Operations still in
     * flight appear as {@link Result#unknown() unknown} with response time {@link Long#MAX_VALUE}.
     */
    public synchronized List<HistoryEntry> entries() {
        List<HistoryEntry> out = new ArrayList<>(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            Result r = s.result == null ? Result.unknown() : s.result;
            long response = s.result == null ? Long.MAX_VALUE : s.responseTime;
            out.add(new HistoryEntry(i, s.clientId, s.op, r, s.invokeTime, response));
        }
        return out;
    }

    @Override
    public String toString() {
        return "History" + entries();
    }

    private static final class Slot {
        final int clientId;
        final Operation op;
        final long invokeTime;
        Result result;
        long responseTime;

        Slot(int clientId, Operation op, long invokeTime) {
            this.clientId = clientId;
            this.op = op;
            this.invokeTime = invokeTime;
        }
    }
}
