package dev.raftboot.testkit.linearizability;

/**
 * The sequential specification of an object of the user's own, for {@link ModelChecker}: what one
 * call does to a state and what it returns. Must be deterministic and must not change {@code
 * state}: states are values (records, immutable collections) compared with {@code equals}.
 *
 * <p>For a key-value store use {@link LinearizabilityChecker} instead: it checks each key on its
 * own and copes with far longer histories.
 *
 * @param <S> the object's state
 * @param <C> a call, with its arguments
 * @param <R> what a call returns
 */
public interface Model<S, C, R> {

    /** The state before the first call. */
    S initial();

    /** What {@code call} does in {@code state}: the state after it and what it returns. */
    Step<S, R> apply(S state, C call);

    /**
     * One call's effect.
     *
     * @param next     the state after the call
     * @param returned what the call returns (compared with {@code equals} to what was recorded)
     */
    record Step<S, R>(S next, R returned) {
    }
}
