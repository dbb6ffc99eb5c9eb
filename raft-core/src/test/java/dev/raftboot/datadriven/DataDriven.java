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
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return new DataDriven(file.toString(), splitLines(text)).readAll();
  }

  /**
   * Runs every directive through handler; on the first mismatch throws AssertionError naming
   * file:line, the directive, and expected vs actual from the first differing line (plus full
   * blocks). Appends "\n" to a non-empty actual that lacks it (SPEC §2.1.6).
   */
  public static void run(Path file, Function<TestData, String> handler) throws IOException {
    for (TestData d : parse(file)) {
      if (d.cmd().equals("subtest")) {
        continue;
      }
      String actual = Objects.requireNonNullElse(handler.apply(d), "");
      if (!actual.isEmpty() && !actual.endsWith("\n")) {
        actual += "\n";
      }
      if (!actual.equals(d.expected())) {
        throw new AssertionFailedError(mismatch(d, actual), d.expected(), actual);
      }
    }
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

  private List<TestData> readAll() {
    List<TestData> out = new ArrayList<>();
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
        out.add(new TestData(pos, directive.cmd(), directive.args(), "", ""));
        continue;
      }
      StringBuilder input = new StringBuilder();
      boolean separator = false;
      while (next < lines.size()) {
        String l = lines.get(next++);
        if (l.equals(SEPARATOR)) {
          separator = true;
          break;
        }
        input.append(l).append('\n');
      }
      String expected = separator ? readExpected(pos) : "";
      out.add(
          new TestData(
              pos, directive.cmd(), directive.args(), GoSpace.trim(input.toString()), expected));
    }
    return out;
  }

  private String readExpected(String pos) {
    StringBuilder sb = new StringBuilder();
    if (next < lines.size() && lines.get(next).equals(SEPARATOR)) {
      next++;
      while (next < lines.size()) {
        String l = lines.get(next++);
        if (l.equals(SEPARATOR) && next < lines.size() && lines.get(next).equals(SEPARATOR)) {
          next++;
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
