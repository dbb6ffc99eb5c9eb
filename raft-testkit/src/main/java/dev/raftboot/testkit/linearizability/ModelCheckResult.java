package dev.raftboot.testkit.linearizability;

import java.util.List;

/**
 * What {@link ModelChecker} found.
 *
 * @param verdict       linearizable, not, or unknown (the bound ran out)
 * @param calls         the calls checked (failed ones left out)
 * @param linearization when linearizable, the order found (unknown-outcome calls that never took
 *                      effect left out); otherwise the longest linearizable prefix met, whose end is
 *                      where the history stops making sense
 * @param states        (linearized calls, state) pairs explored
 */
public record ModelCheckResult<C, R>(CheckResult.Verdict verdict, List<ModelHistory.Entry<C, R>> calls,
        List<ModelHistory.Entry<C, R>> linearization, long states) {

    private static final int SHOWN_CALLS = 30;

    public boolean isLinearizable() {
        return verdict == CheckResult.Verdict.LINEARIZABLE;
    }

    /** Throws an {@link AssertionError} carrying {@link #describe()} unless linearizable. */
    public void assertLinearizable() {
        if (!isLinearizable()) {
            throw new AssertionError(describe());
        }
    }

    /** The verdict, and for a violation the longest linearizable prefix and the calls left over. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        switch (verdict) {
            case LINEARIZABLE -> b.append("linearizable");
            case NOT_LINEARIZABLE -> b.append("NOT linearizable");
            case UNKNOWN -> b.append("unknown (state bound exceeded)");
        }
        b.append(" [").append(calls.size()).append(" calls, ").append(states).append(" states explored]\n");
        if (verdict == CheckResult.Verdict.NOT_LINEARIZABLE) {
            b.append("longest linearizable prefix (").append(linearization.size()).append(" calls):\n");
            List<ModelHistory.Entry<C, R>> tail =
                    linearization.subList(Math.max(0, linearization.size() - SHOWN_CALLS), linearization.size());
            tail.forEach(e -> b.append("  ").append(e).append('\n'));
            b.append("no call of these can go next:\n");
            calls.stream().filter(e -> !linearization.contains(e)).limit(SHOWN_CALLS)
                    .forEach(e -> b.append("  ").append(e).append('\n'));
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
