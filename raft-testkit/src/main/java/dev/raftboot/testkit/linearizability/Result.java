package dev.raftboot.testkit.linearizability;

/**
 * How an operation ended, as seen by the client that issued it.
 *
 * <p>There are three kinds of outcome, and choosing the right one is what makes a check sound:
 * <dl>
 *   <dt>ok</dt>
 *   <dd>The store answered. The answer is part of the result and the checker holds the store to it:
 *       {@link #ok()} for a put (or a delete that does not say whether the key existed),
 *       {@link #ok(boolean)} for a compare-and-set or a delete that reports whether the key existed,
 *       {@link #okValue(String)} / {@link #okAbsent()} for a get. A compare-and-set whose expected
 *       value did not match (e.g. HTTP 409) is {@code ok(false)}: the store answered.</dd>
 *   <dt>failed</dt>
 *   <dd>The operation <em>certainly</em> had no effect: it was rejected before it could be applied
 *       (for example the request never left the client, or the server refused it without touching
 *       the state and guarantees so). The checker discards it. Reporting {@code failed} for an
 *       operation that might have been applied can make a correct store look broken; when in doubt
 *       use {@code unknown}.</dd>
 *   <dt>unknown</dt>
 *   <dd>The client cannot tell (timeout, connection reset, crash of the client or server). The
 *       operation may never take effect, or take effect at any moment after it was invoked &mdash;
 *       including long after the client gave up. The checker treats its response time as
 *       +&infin;: it may be placed anywhere after its invocation, or left out. An unknown read
 *       carries no information and is ignored. An operation that was invoked but never completed
 *       when the history is checked is treated as unknown too.</dd>
 * </dl>
 */
public sealed interface Result permits Result.Ok, Result.OkBoolean, Result.OkValue, Result.Failed, Result.Unknown {

    /** Success without a return value: a put, or a delete that does not report existence. */
    static Result ok() {
        return Ok.INSTANCE;
    }

    /**
     * Success with a boolean answer: for a compare-and-set whether the swap happened; for a delete
     * whether the key existed.
     */
    static Result ok(boolean value) {
        return value ? OkBoolean.TRUE : OkBoolean.FALSE;
    }

    /** A get that returned {@code value}; {@code null} is accepted and means absent. */
    static Result okValue(String value) {
        return value == null ? OkValue.ABSENT : new OkValue(value);
    }

    /** A get that found no value for the key. */
    static Result okAbsent() {
        return OkValue.ABSENT;
    }

    /** The operation definitely did not take effect; the checker discards it. */
    static Result failed() {
        return Failed.INSTANCE;
    }

    /**
     * The outcome is unknown: the operation may or may not have taken effect, at any time after it
     * was invoked.
     */
    static Result unknown() {
        return Unknown.INSTANCE;
    }

    /** True for every kind of {@code ok} result. */
    default boolean isOk() {
        return this instanceof Ok || this instanceof OkBoolean || this instanceof OkValue;
    }

    /** True only for {@link #failed()}. */
    default boolean isFailed() {
        return this instanceof Failed;
    }

    /** True only for {@link #unknown()}. */
    default boolean isUnknown() {
        return this instanceof Unknown;
    }

    /** Success without a value. */
    final class Ok implements Result {
        static final Ok INSTANCE = new Ok();

        private Ok() {
        }

        @Override
        public String toString() {
            return "ok";
        }
    }

    /** Success with a boolean. */
    record OkBoolean(boolean value) implements Result {
        static final OkBoolean TRUE = new OkBoolean(true);
        static final OkBoolean FALSE = new OkBoolean(false);

        @Override
        public String toString() {
            return "ok(" + value + ")";
        }
    }

    /** A read's answer; {@code value == null} means the key was absent. */
    record OkValue(String value) implements Result {
        static final OkValue ABSENT = new OkValue(null);

        /** Whether the read found no value. */
        public boolean isAbsent() {
            return value == null;
        }

        @Override
        public String toString() {
            return "ok(" + Format.valueOrAbsent(value) + ")";
        }
    }

    /** Certainly had no effect. */
    final class Failed implements Result {
        static final Failed INSTANCE = new Failed();

        private Failed() {
        }

        @Override
        public String toString() {
            return "failed";
        }
    }

    /** May or may not have taken effect. */
    final class Unknown implements Result {
        static final Unknown INSTANCE = new Unknown();

        private Unknown() {
        }

        @Override
        public String toString() {
            return "unknown";
        }
    }
}
