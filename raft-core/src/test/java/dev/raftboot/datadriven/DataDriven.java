package dev.raftboot.datadriven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.opentest4j.AssertionFailedError;

/**
 * Reads and runs datadriven test files (the format of cockroachdb/datadriven v1.0.2).
 *
 * <p>A file is a sequence of directives. Each is a directive line, optional input lines, a {@code
 * ----} line and the expected output, which ends at the first blank line; or, when the expected
 * output opens with a second {@code ----}, at the next pair of {@code ----} lines. Lines starting
 * with {@code #} outside of blocks are comments, and a directive line ending in {@code \} continues
 * on the next line.
 */
public final class DataDriven {

  private static final String SEPARATOR = "----";

  private final String name;
  private final List<String> lines;
  private int next;

  /**
   * Where one directive's expected block sits in the file, for rewriting: {@code sep} is the
   * index of its {@code ----} line ({@code -1} if the file ended before one) and {@code end} the
   * index just past the block (a blank line that ends the block is not part of it).
   */
  private record Block(TestData data, int sep, int end) {}

  private DataDriven(String name, List<String> lines) {
    this.name = name;
    this.lines = lines;
  }

  /**
   * Parses every directive of {@code file}.
   *
   * @throws IllegalArgumentException naming {@code file:line} if the file is malformed
   */
  public static List<TestData> parse(Path file) throws IOException {
    return read(file).readAll().stream().map(Block::data).toList();
  }

  private static DataDriven read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return new DataDriven(file.toString(), splitLines(text));
  }

  /**
   * Runs every directive through handler; on the first mismatch throws AssertionError naming
   * file:line, the directive, and expected vs actual from the first differing line (plus full
   * blocks). Appends "\n" to a non-empty actual that lacks it (SPEC §2.1.6).
   */
  public static void run(Path file, Function<TestData, String> handler) throws IOException {
    run(parse(file), handler);
  }

  /** Parses a script held in a string; {@code name} stands for the file in error messages. */
  public static List<TestData> parse(String name, String text) {
    return new DataDriven(name, splitLines(text)).readAll().stream().map(Block::data).toList();
  }

  /** {@link #run(Path, Function)} for directives already parsed. */
  public static void run(List<TestData> directives, Function<TestData, String> handler) {
    for (TestData d : directives) {
      if (d.cmd().equals("subtest")) {
        continue;
      }
      String actual = actual(handler, d);
      if (!actual.equals(d.expected())) {
        throw new AssertionFailedError(mismatch(d, actual), d.expected(), actual);
      }
    }
  }

  private static String actual(Function<TestData, String> handler, TestData d) {
    String actual = Objects.requireNonNullElse(handler.apply(d), "");
    if (!actual.isEmpty() && !actual.endsWith("\n")) {
      actual += "\n";
    }
    return actual;
  }

  /**
   * Rewrite mode (the {@code -rewrite} flag of cockroachdb/datadriven, SPEC §2.1.7): runs every
   * directive of {@code file} through {@code handler} and writes the file back with each expected
   * block replaced by the actual output. Everything else (comments, blank lines, directive and
   * input lines) is kept as written. An output with a blank or whitespace-only line is written in
   * the {@code ----}/{@code ----} form; every block is followed by a blank line, and the file ends
   * with a single newline.
   *
   * @return whether the file changed
   */
  public static boolean rewrite(Path file, Function<TestData, String> handler) throws IOException {
    DataDriven dd = read(file);
    List<Block> blocks = dd.readAll();
    List<String> lines = dd.lines;
    List<String> out = new ArrayList<>();
    int cursor = 0;
    for (Block b : blocks) {
      if (b.data().cmd().equals("subtest")) {
        continue;
      }
      String actual = actual(handler, b.data());
      int blockStart = b.sep() < 0 ? b.end() : b.sep();
      out.addAll(lines.subList(cursor, blockStart));
      out.add(SEPARATOR);
      List<String> actualLines = actual.isEmpty() ? List.of() : splitLines(actual);
      if (actualLines.stream().anyMatch(l -> GoSpace.trim(l).isEmpty())) {
        out.add(SEPARATOR);
        out.addAll(actualLines);
        out.add(SEPARATOR);
        out.add(SEPARATOR);
      } else {
        out.addAll(actualLines);
      }
      cursor = b.end();
      if (cursor >= lines.size() || !GoSpace.trim(lines.get(cursor)).isEmpty()) {
        out.add("");
      }
    }
    out.addAll(lines.subList(cursor, lines.size()));
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    String text = out.isEmpty() ? "" : String.join("\n", out) + "\n";
    String old = Files.readString(file, StandardCharsets.UTF_8);
    if (text.equals(old)) {
      return false;
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return true;
  }

  /** Lines as Go's line scanner yields them: split at LF, one trailing CR dropped. */
  private static List<String> splitLines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      String line = text.substring(start, end);
      out.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
      start = end + 1;
    }
    return out;
  }

  private List<Block> readAll() {
    List<Block> out = new ArrayList<>();
    while (next < lines.size()) {
      int lineNo = next + 1;
      String line = GoSpace.trim(lines.get(next++));
      if (line.startsWith("#")) {
        continue;
      }
      while (line.endsWith("\\") && next < lines.size()) {
        line = line.substring(0, line.length() - 1) + " " + GoSpace.trim(lines.get(next++));
      }
      String pos = name + ":" + lineNo;
      DirectiveParser.Directive directive;
      try {
        directive = DirectiveParser.parse(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(pos + ": " + e.getMessage(), e);
      }
      if (directive == null) {
        continue;
      }
      if (directive.cmd().equals("subtest")) {
        out.add(new Block(new TestData(pos, directive.cmd(), directive.args(), "", ""), -1, next));
        continue;
      }
      StringBuilder input = new StringBuilder();
      int sep = -1;
      while (next < lines.size()) {
        String l = lines.get(next++);
        if (l.equals(SEPARATOR)) {
          sep = next - 1;
          break;
        }
        input.append(l).append('\n');
      }
      String expected = sep >= 0 ? readExpected(pos) : "";
      TestData d =
          new TestData(
              pos, directive.cmd(), directive.args(), GoSpace.trim(input.toString()), expected);
      out.add(new Block(d, sep, sep >= 0 ? blockEnd : next));

    }
    return out;
  }

  /** Index just past the last expected block read (before its terminating blank line). */
  private int blockEnd;

  private String readExpected(String pos) {
    StringBuilder sb = new StringBuilder();
    if (next < lines.size() && lines.get(next).equals(SEPARATOR)) {
      next++;
      blockEnd = lines.size();
      while (next < lines.size()) {
        String l = lines.get(next++);
        if (l.equals(SEPARATOR) && next < lines.size() && lines.get(next).equals(SEPARATOR)) {
          next++;
          blockEnd = next;
          if (next < lines.size() && !lines.get(next++).isEmpty()) {
            throw new IllegalArgumentException(
                pos + ": non-blank line after end of double ---- separator section");
          }
          break;
        }
        sb.append(l).append('\n');
      }
      return sb.toString();
    }
    while (next < lines.size() && !GoSpace.trim(lines.get(next)).isEmpty()) {
      sb.append(lines.get(next++)).append('\n');
    }
    blockEnd = next;
    return sb.toString();
  }

  private static String mismatch(TestData d, String actual) {
    String[] exp = d.expected().split("\n", -1);
    String[] act = actual.split("\n", -1);
    int i = 0;
    while (i < exp.length && i < act.length && exp[i].equals(act[i])) {
      i++;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(d.pos()).append(": output mismatch for directive: ").append(d.directive());
    if (!d.input().isEmpty()) {
      sb.append("\ninput:\n").append(d.input());
    }
    sb.append("\nfirst difference at output line ").append(i + 1).append(':');
    sb.append("\n  expected: ").append(lineOrEnd(exp, i));
    sb.append("\n  actual:   ").append(lineOrEnd(act, i));
    sb.append("\n--- expected\n").append(d.expected());
    sb.append("--- actual\n").append(actual);
    return sb.toString();
  }

  /** A line for the diff summary; the last element of a split is what follows the final LF. */
  private static String lineOrEnd(String[] lines, int i) {
    if (i >= lines.length || (i == lines.length - 1 && lines[i].isEmpty())) {
      return "<end of output>";
    }
    return "\"" + lines[i] + "\"" + (i == lines.length - 1 ? " (no trailing newline)" : "");
  }
}
