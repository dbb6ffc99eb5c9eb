package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.cas;
import static dev.raftboot.testkit.linearizability.Operation.delete;
import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryFileTest {

    @TempDir Path dir;

    @Test
    void everyOperationAndResultSurvivesTheRoundTrip() {
        History h = new History();
        long a = h.invoke(1, put("k\t1", "a \"quoted\"\nline\\ é \u0001"));
        long b = h.invoke(2, cas("k\t1", null, "absent"));
        HistoryFile.Fault kill = new HistoryFile.Fault(h.now(), "SIGKILL node 2 (leader)");
        h.complete(a, Result.ok());
        h.complete(b, Result.ok(false));
        long c = h.invoke(1, cas("k\t1", "x", "y"));
        h.complete(c, Result.ok(true));
        long d = h.invoke(2, get("k\t1"));
        h.complete(d, Result.okValue("absent"));
        long e = h.invoke(2, get("other"));
        h.complete(e, Result.okAbsent());
        long f = h.invoke(2, delete("other"));
        h.complete(f, Result.ok());
        long g = h.invoke(2, delete("other"));
        h.complete(g, Result.failed());
        long i = h.invoke(3, delete("k\t1"));
        h.complete(i, Result.unknown());
        h.invoke(4, put("k\t1", "never answered"));
        HistoryFile.Fault heal = new HistoryFile.Fault(h.now(), "healed");

        Path file = dir.resolve("sub/history.txt");
        HistoryFile.write(file, List.of("seed 42", "two\nlines"), h.entries(), List.of(heal, kill));
        HistoryFile.Contents read = HistoryFile.read(file);

        assertThat(read.entries()).isEqualTo(h.entries());
        assertThat(read.faults()).containsExactly(kill, heal);
        assertThat(read.comments()).containsExactly("seed 42", "two", "lines");
    }

    @Test
    void theFileIsOneEventALineInTimeOrder() throws IOException {
        History h = new History();
        long a = h.invoke(7, put("k", "v"));
        HistoryFile.Fault pause = new HistoryFile.Fault(h.now(), "SIGSTOP node 1");
        h.complete(a, Result.ok());
        long b = h.invoke(8, get("k"));
        h.complete(b, Result.okValue("v"));
        long c = h.invoke(8, put("k", "w"));

        Path file = dir.resolve("h.txt");
        HistoryFile.write(file, List.of(), h.entries(), List.of(pause));

        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).containsExactly(
                "raftboot-history\t1",
                "op\t0\t7\t1\t3\tput \"k\" \"v\"\tok",
                "fault\t2\t\"SIGSTOP node 1\"",
                "op\t1\t8\t4\t5\tget \"k\"\tok \"v\"",
                "op\t" + c + "\t8\t6\tnever\tput \"k\" \"w\"\tunknown");
    }

    @Test
    void aRandomHistoryReadsBackEqual() {
        Random rnd = new Random(11);
        History h = SimulatedClients.run(rnd, SimulatedClients.Config.of(4, 3, 5, 400).withFaults(0.1, 0.1));
        Path file = dir.resolve("random.txt");
        HistoryFile.write(file, List.of(), h.entries(), List.of());
        assertThat(HistoryFile.read(file).entries()).isEqualTo(h.entries());
    }

    @Test
    void aBadLineIsNamedWithWhatToWrite() throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, "raftboot-history\t1\nop\t0\t1\t1\t2\tput \"k\" \"v\"\tok\n"
                + "op\t1\t1\t3\t4\tincrement \"k\"\tok\n");
        assertThatThrownBy(() -> HistoryFile.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.txt:3")
                .hasMessageContaining("write put, get, delete or cas");

        Files.writeString(file, "op\t0\t1\t1\t2\tput \"k\" \"v\"\tok\n");
        assertThatThrownBy(() -> HistoryFile.read(file)).hasMessageContaining("first line must be");

        Files.writeString(file, "raftboot-history\t1\nop\t0\t1\t1\t2\tget \"k\"\tok maybe\n");
        assertThatThrownBy(() -> HistoryFile.read(file)).hasMessageContaining("bad.txt:2")
                .hasMessageContaining("true, false, a string or absent");

        Files.writeString(file, "raftboot-history\t1\nop\t0\t1\t1\tget \"k\"\tok\n");
        assertThatThrownBy(() -> HistoryFile.read(file)).hasMessageContaining("7 tab-separated fields");
    }
}
