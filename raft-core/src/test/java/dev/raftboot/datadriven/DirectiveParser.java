package dev.raftboot.datadriven;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a directive line: a command, then arguments {@code key}, {@code key=val} or {@code
 * key=(v1, v2, ...)} where values may contain balanced parentheses.
 */
final class DirectiveParser {

  /** A parsed directive line. */
  record Directive(String cmd, List<CmdArg> args) {}

  private final String line;
  private int pos;

  private DirectiveParser(String line) {
    this.line = line;
  }

  /**
   * Parses {@code raw}; returns {@code null} for a blank line.
   *
   * @throws IllegalArgumentException {@code cannot parse directive at column N: LINE}
   */
  static Directive parse(String raw) {
    String line = GoSpace.trim(raw);
    return line.isEmpty() ? null : new DirectiveParser(line).directive();
  }

  private Directive directive() {
    String cmd = until(" ");
    List<CmdArg> args = new ArrayList<>();
    pos = GoSpace.skipLeading(line, pos);
    while (pos < line.length()) {
      int keyStart = pos;
      String key = until(" =");
      if (key.isEmpty()) {
        throw error(keyStart);
      }
      List<String> vals = new ArrayList<>();
      if (pos < line.length() && line.charAt(pos) == '=') {
        pos++;
        if (pos == line.length() || line.charAt(pos) == ' ') {
          vals.add("");
        } else if (line.charAt(pos) != '(') {
          vals.add(until(" "));
        } else {
          pos++;
          parenthesisedValues(vals);
        }
      }
      args.add(new CmdArg(key, vals));
      pos = GoSpace.skipLeading(line, pos);
    }
    return new Directive(cmd, args);
  }

  /** Reads values up to the closing parenthesis; {@code pos} is just after the opening one. */
  private void parenthesisedValues(List<String> vals) {
    while (true) {
      int start = pos;
      int p = start;
      while (p < line.length() && line.charAt(p) != ')' && line.charAt(p) != ',') {
        p++;
        if (line.charAt(p - 1) == '(') {
          p = afterMatchingParen(p, start);
        }
      }
      if (p == line.length()) {
        throw error(start);
      }
      vals.add(line.substring(start, p));
      pos = GoSpace.skipLeading(line, p + 1);
      if (line.charAt(p) == ')') {
        return;
      }
    }
  }

  /** The index just after the ')' closing a '(' that ends right before {@code p}. */
  private int afterMatchingParen(int p, int valueStart) {
    while (p < line.length()) {
      char c = line.charAt(p++);
      if (c == ')') {
        return p;
      }
      if (c == '(') {
        p = afterMatchingParen(p, valueStart);
      }
    }
    throw error(valueStart);
  }

  /** Consumes and returns the text up to (not including) the first of {@code stops}. */
  private String until(String stops) {
    int start = pos;
    while (pos < line.length() && stops.indexOf(line.charAt(pos)) < 0) {
      pos++;
    }
    return line.substring(start, pos);
  }

  /** The column is counted in UTF-8 bytes, as the reference implementation does. */
  private IllegalArgumentException error(int at) {
    int column = line.substring(0, at).getBytes(StandardCharsets.UTF_8).length + 1;
    return new IllegalArgumentException("cannot parse directive at column " + column + ": " + line);
  }
}
