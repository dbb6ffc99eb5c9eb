package dev.raftboot.testkit.linearizability;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Checks a saved history ({@link HistoryFile}) again and prints the verdict:
 * <pre>
 * java -cp raft-testkit/target/classes dev.raftboot.testkit.linearizability.ReplayHistory FILE [SECONDS]
 * </pre>
 * {@code SECONDS} is the checker's time budget (default 60). The exit status is 0 for linearizable,
 * 1 for not linearizable, 2 when the budget ran out undecided and 64 when the arguments or the file
 * are wrong (the message says what to write instead).
 */
public final class ReplayHistory {

    /** Exit status of a history shown linearizable. */
    public static final int LINEARIZABLE = 0;
    /** Exit status of a history with a violation. */
    public static final int NOT_LINEARIZABLE = 1;
    /** Exit status when the budget ran out before a verdict. */
    public static final int UNDECIDED = 2;
    /** Exit status of a wrong command line or an unreadable file. */
    public static final int USAGE = 64;

    private ReplayHistory() {
    }

    /** Runs {@link #run} and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Reads the file named by {@code args[0]}, checks it with a time budget of {@code args[1]}
     * seconds (default 60), prints the counts, the fault schedule's size and the checker's
     * explanation to {@code out}, and returns the exit status.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 1 || args.length > 2) {
            err.println("usage: ReplayHistory FILE [SECONDS]  (FILE in the format of HistoryFile, "
                    + "as written by the fault and crash tests)");
            return USAGE;
        }
        Duration budget;
        try {
            budget = args.length == 2 ? Duration.ofSeconds(Long.parseLong(args[1])) : Duration.ofSeconds(60);
        } catch (NumberFormatException | DateTimeParseException e) {
            err.println("the time budget must be a whole number of seconds, not " + args[1]);
            return USAGE;
        }
        HistoryFile.Contents contents;
        try {
            contents = HistoryFile.read(Path.of(args[0]));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println(e.getMessage());
            return USAGE;
        }
        contents.comments().forEach(c -> out.println("# " + c));
        out.println(args[0] + ": " + contents.entries().size() + " operations, " + contents.faults().size()
                + " fault events");
        CheckResult result = LinearizabilityChecker.builder().timeBudget(budget).build().check(contents.entries());
        out.print(result.describe());
        out.println("verdict: " + result.verdict());
        return switch (result.verdict()) {
            case LINEARIZABLE -> LINEARIZABLE;
            case NOT_LINEARIZABLE -> NOT_LINEARIZABLE;
            case UNKNOWN -> UNDECIDED;
        };
    }
}
