package dev.raftboot.testkit.linearizability;

/**
 * A compact way to write histories by hand in tests: calls made in program order get increasing
 * times from the {@link History}, so interleaving {@link #start} and {@link #end} of different
 * clients produces exactly the overlaps the test wants.
 */
final class Script {

    final History history = new History();
    private LinearizabilityChecker checker = LinearizabilityChecker.defaults();

    Script with(LinearizabilityChecker checker) {
        this.checker = checker;
        return this;
    }

    long start(int client, Operation op) {
        return history.invoke(client, op);
    }

    void end(long id, Result result) {
        history.complete(id, result);
    }

    /** An operation that overlaps nothing still open: invoked and completed back to back. */
    long run(int client, Operation op, Result result) {
        long id = start(client, op);
        end(id, result);
        return id;
    }

    CheckResult check() {
        return checker.check(history);
    }
}
