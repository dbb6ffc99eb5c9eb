package dev.raftboot.testkit.linearizability;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The sequential specification of the key-value store the checker verifies against, plus a
 * reference implementation of it.
 *
 * <p>The store maps string keys to string values; every key starts absent unless
 * {@link LinearizabilityChecker.Builder#initialValues initial values} say otherwise. Operations, and
 * the results a correct store returns when they run one at a time:
 * <table>
 *   <caption>Sequential semantics</caption>
 *   <tr><th>operation</th><th>effect</th><th>result</th></tr>
 *   <tr><td>{@code put(k, v)}</td><td>{@code k := v}</td><td>{@code ok()}</td></tr>
 *   <tr><td>{@code get(k)}</td><td>none</td><td>{@code okValue(v)} or {@code okAbsent()}</td></tr>
 *   <tr><td>{@code delete(k)}</td><td>{@code k := absent}</td>
 *       <td>{@code ok(existed)}, or {@code ok()} if the store does not say</td></tr>
 *   <tr><td>{@code cas(k, e, n)}</td><td>if {@code k == e} (absent when {@code e == null}) then
 *       {@code k := n}</td><td>{@code ok(k == e)}</td></tr>
 * </table>
 *
 * <p>Because each operation touches one key and keys do not interact, a history of this store is
 * linearizable if and only if the sub-history of every key is (locality, Herlihy &amp; Wing 1990);
 * the checker uses this to check keys one by one.
 *
 * <p>Instances are not thread-safe; tests use them to produce the "right answers" of a sequential
 * execution.
 */
public final class KvModel {

    private final Map<String, String> data;

    /** An empty store. */
    public KvModel() {
        this(Map.of());
    }

    /** A store holding a copy of {@code initial}. */
    public KvModel(Map<String, String> initial) {
        this.data = new HashMap<>(initial);
    }

    /**
     * Runs {@code op} against this store and returns the result a correct store gives.
     */
    public Result execute(Operation op) {
        Objects.requireNonNull(op, "op");
        String current = data.get(op.key());
        Result result;
        if (op instanceof Operation.Put) {
            result = Result.ok();
        } else if (op instanceof Operation.Get) {
            result = Result.okValue(current);
        } else if (op instanceof Operation.Delete) {
            result = Result.ok(current != null);
        } else {
            result = Result.ok(Objects.equals(current, ((Operation.Cas) op).expected()));
        }
        Transition t = apply(current, op, result);
        if (t.nextValue() == null) {
            data.remove(op.key());
        } else {
            data.put(op.key(), t.nextValue());
        }
        return result;
    }

    /** The current value of {@code key}. */
    public Optional<String> read(String key) {
        return Optional.ofNullable(data.get(key));
    }

    /** A copy of the whole store. */
    public Map<String, String> snapshot() {
        return Map.copyOf(data);
    }

    /**
     * The outcome of applying one operation with a given result to the value of its key.
     *
     * @param legal       whether a correct store could return that result in that state
     * @param nextValue   the key's value afterwards ({@code null} = absent); meaningful when legal
     * @param explanation why the step is illegal, or {@code ""}
     */
    public record Transition(boolean legal, String nextValue, String explanation) {

        static Transition to(String next) {
            return new Transition(true, next, "");
        }

        static Transition illegal(String why) {
            return new Transition(false, null, why);
        }
    }

    /**
     * The sequential specification for one key: given the key's current value ({@code null} =
     * absent), is {@code result} a possible answer to {@code op}, and what is the value afterwards?
     *
     * <p>An {@link Result#unknown() unknown} result is read as "the operation took effect": a put or
     * delete always can, a compare-and-set only if it would have succeeded (one that would not has
     * no effect, which is the same as leaving it out). An unknown get has nothing to check.
     *
     * @throws IllegalArgumentException if the result is {@code failed} or does not fit the operation
     */
    public static Transition apply(String current, Operation op, Result result) {
        requireCompatible(op, result);
        if (result.isFailed()) {
            throw new IllegalArgumentException("a failed operation has no effect and no transition: " + op);
        }
        boolean unknown = result.isUnknown();
        if (op instanceof Operation.Put p) {
            return Transition.to(p.value());
        }
        if (op instanceof Operation.Get) {
            if (unknown) {
                return Transition.to(current);
            }
            String seen = ((Result.OkValue) result).value();
            return Objects.equals(seen, current)
                    ? Transition.to(current)
                    : Transition.illegal("read " + Format.valueOrAbsent(seen) + " but the value was "
                            + Format.valueOrAbsent(current));
        }
        if (op instanceof Operation.Delete) {
            if (result instanceof Result.OkBoolean b && b.value() != (current != null)) {
                return Transition.illegal(b.value()
                        ? "reported that the key existed but it was absent"
                        : "reported that the key was absent but it held " + Format.quote(current));
            }
            return Transition.to(null);
        }
        Operation.Cas c = (Operation.Cas) op;
        boolean matches = Objects.equals(current, c.expected());
        boolean swapped = unknown || ((Result.OkBoolean) result).value();
        if (swapped) {
            return matches
                    ? Transition.to(c.newValue())
                    : Transition.illegal((unknown ? "could only take effect from " : "swapped from ")
                            + Format.valueOrAbsent(c.expected()) + " but the value was "
                            + Format.valueOrAbsent(current));
        }
        return matches
                ? Transition.illegal("reported a mismatch but the value was " + Format.valueOrAbsent(current)
                        + " as expected")
                : Transition.to(current);
    }

    /**
     * Checks that {@code result} is a possible kind of answer to {@code op}: a put completes with
     * {@code ok()}, a get with {@code okValue}/{@code okAbsent}, a delete with {@code ok()} or
     * {@code ok(boolean)}, a compare-and-set with {@code ok(boolean)}; any operation may be
     * {@code failed} or {@code unknown}.
     *
     * @throws IllegalArgumentException if not
     */
    public static void requireCompatible(Operation op, Result result) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(result, "result");
        if (!result.isOk()) {
            return;
        }
        boolean fits;
        String expected;
        if (op instanceof Operation.Put) {
            fits = result instanceof Result.Ok;
            expected = "Result.ok()";
        } else if (op instanceof Operation.Get) {
            fits = result instanceof Result.OkValue;
            expected = "Result.okValue(v) or Result.okAbsent()";
        } else if (op instanceof Operation.Delete) {
            fits = result instanceof Result.Ok || result instanceof Result.OkBoolean;
            expected = "Result.ok() or Result.ok(existed)";
        } else {
            fits = result instanceof Result.OkBoolean;
            expected = "Result.ok(swapped)";
        }
        if (!fits) {
            throw new IllegalArgumentException(op + " cannot complete with " + result + "; expected " + expected
                    + ", Result.failed() or Result.unknown()");
        }
    }
}
