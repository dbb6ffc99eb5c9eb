package dev.raftboot.testkit.linearizability;

import java.util.Objects;

/**
 * An operation a client asks a key-value store to perform. Every operation touches exactly one key,
 * which is what lets the checker verify each key on its own.
 *
 * <p>Keys and values are non-null strings. "Absent" (no value for the key) is expressed by
 * {@code null} only where the API says so: the expected value of {@link #cas} and the value a
 * {@link #get} observed (see {@link Result#okAbsent()}).
 */
public sealed interface Operation permits Operation.Put, Operation.Get, Operation.Delete, Operation.Cas {

    /** The single key this operation reads or writes. */
    String key();

    /**
     * Sets {@code key} to {@code value} unconditionally. Complete it with {@link Result#ok()}.
     */
    static Put put(String key, String value) {
        return new Put(key, value);
    }

    /**
     * Reads {@code key}. Complete it with {@link Result#okValue(String)} or {@link Result#okAbsent()}.
     */
    static Get get(String key) {
        return new Get(key);
    }

    /**
     * Removes {@code key}. Complete it with {@link Result#ok(boolean)} saying whether the key
     * existed, or with {@link Result#ok()} when the store does not report that.
     */
    static Delete delete(String key) {
        return new Delete(key);
    }

    /**
     * Compare-and-set: if the current value of {@code key} equals {@code expected} (where
     * {@code null} means "the key is absent"), set it to {@code newValue}. Complete it with
     * {@link Result#ok(boolean)}: {@code true} if the swap happened, {@code false} if the current
     * value did not match (for example an HTTP 409). A mismatch is an ordinary outcome that tells the
     * checker something about the state; it is not {@link Result#failed()}.
     */
    static Cas cas(String key, String expected, String newValue) {
        return new Cas(key, expected, newValue);
    }

    /**
     * Unconditional write.
     *
     * @param key   the key
     * @param value the value to store
     */
    record Put(String key, String value) implements Operation {
        /** @throws NullPointerException if {@code key} or {@code value} is null */
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "put(" + Format.quote(key) + ", " + Format.quote(value) + ")";
        }
    }

    /**
     * Read.
     *
     * @param key the key
     */
    record Get(String key) implements Operation {
        /** @throws NullPointerException if {@code key} is null */
        public Get {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "get(" + Format.quote(key) + ")";
        }
    }

    /**
     * Removal.
     *
     * @param key the key
     */
    record Delete(String key) implements Operation {
        /** @throws NullPointerException if {@code key} is null */
        public Delete {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "delete(" + Format.quote(key) + ")";
        }
    }

    /**
     * Compare-and-set.
     *
     * @param key      the key
     * @param expected the value the key must hold for the swap; {@code null} means absent
     * @param newValue the value to store if it does
     */
    record Cas(String key, String expected, String newValue) implements Operation {
        /** @throws NullPointerException if {@code key} or {@code newValue} is null */
        public Cas {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(newValue, "newValue");
        }

        @Override
        public String toString() {
            return "cas(" + Format.quote(key) + ", " + Format.valueOrAbsent(expected) + " -> "
                    + Format.quote(newValue) + ")";
        }
    }
}
