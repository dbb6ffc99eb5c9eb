package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a {@link ModelHistory} against a {@link Model}: is there an order of the calls, each
 * taking effect at one instant between its invocation and its answer, in which the model returns
 * what every answered call returned? Calls with an unknown outcome may take effect at any time
 * after their invocation, or never; failed calls are left out.
 *
 * <p>This is the Wing &amp; Gong search with Lowe's memoization of (linearized calls, state): it
 * explores at most one path per such pair, so it suits the histories of a test (a few hundred calls
 * by a handful of clients). It gives up, with verdict {@code UNKNOWN}, after {@code maxStates}
 * pairs. Stateless and thread-safe.
 */
public final class ModelChecker {

    /** The default bound on the pairs explored. */
    public static final long DEFAULT_MAX_STATES = 1_000_000;

    private ModelChecker() {
    }

    /** Checks {@code history} with the default bound. */
    public static <S, C, R> ModelCheckResult<C, R> check(Model<S, C, R> model, ModelHistory<C, R> history) {
        return check(model, history.entries(), DEFAULT_MAX_STATES);
    }

    /** Checks {@code entries} (as {@link ModelHistory#entries()} returns them), exploring at most {@code maxStates}. */
    public static <S, C, R> ModelCheckResult<C, R> check(Model<S, C, R> model,
            List<ModelHistory.Entry<C, R>> entries, long maxStates) {
        List<ModelHistory.Entry<C, R>> calls = entries.stream()
                .filter(e -> e.outcome() != ModelHistory.Outcome.FAILED).toList();
        return new Search<>(model, calls, maxStates).run();
    }

    /** One search; not reused. */
    private static final class Search<S, C, R> {

        private record Visited(BitSet linearized, Object state) {
        }

        private final Model<S, C, R> model;
        private final List<ModelHistory.Entry<C, R>> calls;
        private final long maxStates;
        private final Set<Visited> visited = new HashSet<>();
        private final List<ModelHistory.Entry<C, R>> path = new ArrayList<>();
        private List<ModelHistory.Entry<C, R>> longest = List.of();
        private int required;

        Search(Model<S, C, R> model, List<ModelHistory.Entry<C, R>> calls, long maxStates) {
            this.model = model;
            this.calls = calls;
            this.maxStates = maxStates;
            for (ModelHistory.Entry<C, R> c : calls) {
                if (c.outcome() == ModelHistory.Outcome.OK) {
                    required++;
                }
            }
        }

        ModelCheckResult<C, R> run() {
            CheckResult.Verdict verdict;
            try {
                verdict = linearize(new BitSet(), model.initial(), 0)
                        ? CheckResult.Verdict.LINEARIZABLE : CheckResult.Verdict.NOT_LINEARIZABLE;
            } catch (BudgetExceeded e) {
                verdict = CheckResult.Verdict.UNKNOWN;
            }
            List<ModelHistory.Entry<C, R>> order = verdict == CheckResult.Verdict.LINEARIZABLE ? path : longest;
            return new ModelCheckResult<>(verdict, calls, order, visited.size());
        }

        /** Depth-first: extends the linearization by one call that may go next, and recurses. */
        private boolean linearize(BitSet done, S state, int doneRequired) {
            if (doneRequired == required) {
                return true;
            }
            if (!visited.add(new Visited((BitSet) done.clone(), state))) {
                return false;
            }
            if (visited.size() > maxStates) {
                throw new BudgetExceeded();
            }
            // A call may go next only if it was invoked before every pending answered call returned.
            long firstAnswer = Long.MAX_VALUE;
            for (int i = 0; i < calls.size(); i++) {
                if (!done.get(i)) {
                    firstAnswer = Math.min(firstAnswer, calls.get(i).answered());
                }
            }
            for (int i = 0; i < calls.size(); i++) {
                ModelHistory.Entry<C, R> c = calls.get(i);
                if (done.get(i) || c.invoked() > firstAnswer) {
                    continue;
                }
                Model.Step<S, R> step = model.apply(state, c.call());
                boolean ok = c.outcome() == ModelHistory.Outcome.OK;
                if (ok && !Objects.equals(step.returned(), c.returned())) {
                    continue;
                }
                done.set(i);
                path.add(c);
                if (path.size() > longest.size()) {
                    longest = List.copyOf(path);
                }
                if (linearize(done, step.next(), doneRequired + (ok ? 1 : 0))) {
                    return true;
                }
                path.remove(path.size() - 1);
                done.clear(i);
            }
            return false;
        }
    }

    private static final class BudgetExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExceeded() {
            super(null, null, false, false);
        }
    }
}
