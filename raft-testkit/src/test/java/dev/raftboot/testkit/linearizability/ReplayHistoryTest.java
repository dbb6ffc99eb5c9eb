package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayHistoryTest {

    @TempDir Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aSavedLinearizableHistoryPasses() {
        Path file = save(history(), "seed 1");
        assertThat(replay(file.toString())).isEqualTo(ReplayHistory.LINEARIZABLE);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("# seed 1").contains("3 operations, 1 fault events").contains("verdict: LINEARIZABLE");
    }

    @Test
    void aSavedHistoryWithALostWriteIsRejected() {
        List<HistoryEntry> lost = LostWrite.inject(history().entries()).orElseThrow().entries();
        Path file = dir.resolve("lost.txt");
        HistoryFile.write(file, List.of(), lost, List.of());
        assertThat(replay(file.toString(), "5")).isEqualTo(ReplayHistory.NOT_LINEARIZABLE);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("NOT linearizable").contains("key \"k\"")
                .contains("verdict: NOT_LINEARIZABLE");
    }

    @Test
    void wrongArgumentsOrFilesSayWhatToWrite() throws IOException {
        assertThat(replay()).isEqualTo(ReplayHistory.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: ReplayHistory FILE [SECONDS]");
        Path file = save(history());
        assertThat(replay(file.toString(), "1m")).isEqualTo(ReplayHistory.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("whole number of seconds");
        Files.writeString(file, "not a history\n");
        assertThat(replay(file.toString())).isEqualTo(ReplayHistory.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("first line must be");
        assertThat(replay(dir.resolve("missing.txt").toString())).isEqualTo(ReplayHistory.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read the history");
    }

    private static History history() {
        History h = new History();
        long a = h.invoke(1, put("k", "a"));
        h.complete(a, Result.ok());
        long b = h.invoke(1, put("k", "b"));
        h.complete(b, Result.ok());
        long r = h.invoke(2, get("k"));
        h.complete(r, Result.okValue("b"));
        return h;
    }

    private Path save(History h, String... comments) {
        Path file = dir.resolve("history.txt");
        HistoryFile.write(file, List.of(comments), h.entries(), List.of(new HistoryFile.Fault(h.now(), "heal")));
        return file;
    }

    private int replay(String... args) {
        return ReplayHistory.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
