package dev.raftboot.testkit.linearizability;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A history and its fault schedule saved as text, so that a run can be checked again later, by
 * {@link ReplayHistory} or by another tool.
 *
 * <p>The format is line-oriented UTF-8. Fields are separated by one tab; strings are written in
 * double quotes with {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t} and {@code \\uXXXX}
 * escapes (so no string holds a tab or a line break); {@code absent} (unquoted) means no value. The
 * first line is {@code raftboot-history<TAB>1}; lines starting with {@code #} are comments (a run
 * writes its seed and settings there) and blank lines are ignored. Every other line is one of:
 * <pre>
 * op    ID  CLIENT  INVOKE  RESPONSE  OPERATION  RESULT
 * fault TIME  "what was done"
 * </pre>
 * <ul>
 *   <li>{@code ID}, {@code CLIENT}: integers; ids are unique within the file.</li>
 *   <li>{@code INVOKE}, {@code RESPONSE}, {@code TIME}: integers of one logical clock (only their
 *       order matters, see {@link HistoryEntry}); {@code RESPONSE} is {@code never} for an operation
 *       that never completed.</li>
 *   <li>{@code OPERATION}: {@code put "k" "v"}, {@code get "k"}, {@code delete "k"} or
 *       {@code cas "k" EXPECTED "new"}, where {@code EXPECTED} is a string or {@code absent}.</li>
 *   <li>{@code RESULT}: {@code ok}, {@code ok true}, {@code ok false}, {@code ok "v"},
 *       {@code ok absent}, {@code failed} or {@code unknown} (see {@link Result}).</li>
 * </ul>
 * A fault line says what the test did to the system (a kill, a partition, a heal) at a time of the
 * same clock, taken with {@link History#now()}, so a reader can place it between operations.
 *
 * <p>Stateless and thread-safe.
 */
public final class HistoryFile {

    /** The first line of every file. */
    static final String HEADER = "raftboot-history\t1";

    /**
     * A fault the test injected, or healed.
     *
     * @param time        on the history's clock ({@link History#now()})
     * @param description what was done, for people
     */
    public record Fault(long time, String description) {
        /** @throws NullPointerException if {@code description} is null */
        public Fault {
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * What a file holds.
     *
     * @param entries  the operations, in file order
     * @param faults   the fault schedule, in file order
     * @param comments the comment lines without their {@code #}
     */
    public record Contents(List<HistoryEntry> entries, List<Fault> faults, List<String> comments) {
        /** Copies the lists. */
        public Contents {
            entries = List.copyOf(entries);
            faults = List.copyOf(faults);
            comments = List.copyOf(comments);
        }
    }

    private record Line(long time, String text) {
    }

    private HistoryFile() {
    }

    /**
     * Writes {@code entries} and {@code faults} to {@code file} (replacing it), operations and faults
     * merged in time order, after the {@code comments} (one line each).
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(Path file, List<String> comments, List<HistoryEntry> entries, List<Fault> faults) {
        List<Line> lines = new ArrayList<>(entries.size() + faults.size());
        for (HistoryEntry e : entries) {
            lines.add(new Line(e.invokeTime(), opLine(e)));
        }
        for (Fault f : faults) {
            lines.add(new Line(f.time(), "fault\t" + f.time() + "\t" + Format.quote(f.description())));
        }
        lines.sort(Comparator.comparingLong(Line::time));
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write(HEADER);
                w.newLine();
                for (String c : comments) {
                    for (String part : c.split("\\R", -1)) {
                        w.write("# " + part);
                        w.newLine();
                    }
                }
                for (Line l : lines) {
                    w.write(l.text());
                    w.newLine();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the history to " + file, e);
        }
    }

    /**
     * Reads a file written by {@link #write} (or by another tool in the same format).
     *
     * @throws IllegalArgumentException naming the line, if a line does not follow the format
     * @throws UncheckedIOException     if the file cannot be read
     */
    public static Contents read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the history " + file, e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException(file + ": the first line must be \"raftboot-history<TAB>1\"");
        }
        List<HistoryEntry> entries = new ArrayList<>();
        List<Fault> faults = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            try {
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    comments.add(line.substring(line.startsWith("# ") ? 2 : 1));
                } else if (line.startsWith("op\t")) {
                    entries.add(parseOp(line));
                } else if (line.startsWith("fault\t")) {
                    String[] f = fields(line, 3);
                    Tokens t = new Tokens(f[2]);
                    faults.add(new Fault(number(f[1]), t.string()));
                    t.end();
                } else {
                    throw new IllegalArgumentException("a line starts with op, fault or #");
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": " + e.getMessage() + ": " + line, e);
            }
        }
        return new Contents(entries, faults, comments);
    }

    static String opLine(HistoryEntry e) {
        return "op\t" + e.id() + "\t" + e.clientId() + "\t" + e.invokeTime() + "\t"
                + (e.responseTime() == Long.MAX_VALUE ? "never" : Long.toString(e.responseTime())) + "\t"
                + operation(e.operation()) + "\t" + result(e.result());
    }

    private static String operation(Operation op) {
        if (op instanceof Operation.Put p) {
            return "put " + Format.quote(p.key()) + " " + Format.quote(p.value());
        } else if (op instanceof Operation.Get g) {
            return "get " + Format.quote(g.key());
        } else if (op instanceof Operation.Delete d) {
            return "delete " + Format.quote(d.key());
        }
        Operation.Cas c = (Operation.Cas) op;
        return "cas " + Format.quote(c.key()) + " " + Format.valueOrAbsent(c.expected()) + " "
                + Format.quote(c.newValue());
    }

    private static String result(Result r) {
        if (r instanceof Result.OkBoolean b) {
            return "ok " + b.value();
        } else if (r instanceof Result.OkValue v) {
            return "ok " + Format.valueOrAbsent(v.value());
        }
        return r.toString(); // ok, failed, unknown
    }

    private static HistoryEntry parseOp(String line) {
        String[] f = fields(line, 7);
        long response = f[4].equals("never") ? Long.MAX_VALUE : number(f[4]);
        Tokens op = new Tokens(f[5]);
        String kind = op.word();
        Operation operation = switch (kind) {
            case "put" -> Operation.put(op.string(), op.string());
            case "get" -> Operation.get(op.string());
            case "delete" -> Operation.delete(op.string());
            case "cas" -> Operation.cas(op.string(), op.stringOrAbsent(), op.string());
            default -> throw new IllegalArgumentException("unknown operation " + kind
                    + "; write put, get, delete or cas");
        };
        op.end();
        Tokens res = new Tokens(f[6]);
        String word = res.word();
        Result result = switch (word) {
            case "failed" -> Result.failed();
            case "unknown" -> Result.unknown();
            case "ok" -> {
                if (res.atEnd()) {
                    yield Result.ok();
                }
                if (res.peekQuoteOrAbsent()) {
                    yield Result.okValue(res.stringOrAbsent());
                }
                String b = res.word();
                if (!b.equals("true") && !b.equals("false")) {
                    throw new IllegalArgumentException("after ok write nothing, true, false, a string or absent");
                }
                yield Result.ok(Boolean.parseBoolean(b));
            }
            default -> throw new IllegalArgumentException("unknown result " + word
                    + "; write ok, failed or unknown");
        };
        res.end();
        return new HistoryEntry(number(f[1]), (int) number(f[2]), operation, result, number(f[3]), response);
    }

    private static String[] fields(String line, int count) {
        String[] f = line.split("\t", -1);
        if (f.length != count) {
            throw new IllegalArgumentException("expected " + count + " tab-separated fields, found " + f.length);
        }
        return f;
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer: " + s);
        }
    }

    /** Words and quoted strings of one field, separated by single spaces. */
    private static final class Tokens {
        private final String s;
        private int pos;

        Tokens(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        void end() {
            if (!atEnd()) {
                throw new IllegalArgumentException("unexpected text after the last token: " + s.substring(pos));
            }
        }

        boolean peekQuoteOrAbsent() {
            return !atEnd() && (s.charAt(pos) == '"' || s.startsWith("absent", pos));
        }

        String word() {
            if (atEnd()) {
                throw new IllegalArgumentException("a word is missing");
            }
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != ' ') {
                pos++;
            }
            String w = s.substring(start, pos);
            skipSpace();
            return w;
        }

        String stringOrAbsent() {
            if (s.startsWith("absent", pos)) {
                word();
                return null;
            }
            return string();
        }

        String string() {
            if (atEnd() || s.charAt(pos) != '"') {
                throw new IllegalArgumentException("a quoted string is missing at column " + (pos + 1));
            }
            StringBuilder b = new StringBuilder();
            pos++;
            while (true) {
                if (atEnd()) {
                    throw new IllegalArgumentException("a string is not closed with \"");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    break;
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (atEnd()) {
                    throw new IllegalArgumentException("a string ends in a lone backslash");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw new IllegalArgumentException("\\u needs four hex digits");
                        }
                        b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw new IllegalArgumentException("unknown escape \\" + e
                            + "; use \\\" \\\\ \\n \\r \\t or \\uXXXX");
                }
            }
            skipSpace();
            return b.toString();
        }

        private void skipSpace() {
            if (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }
    }
}
