package dev.raftboot.datadriven;

import java.util.List;

/**
 * One argument of a directive line: {@code key}, {@code key=val} or {@code key=(a, b, ...)}.
 *
 * <p>The typed accessors follow Go's {@code strconv} rules, which the scripts were written for.
 */
public record CmdArg(String key, List<String> vals) {

  public CmdArg {
    vals = List.copyOf(vals);
  }

  /** The single value; {@code ""} for a bare key. Fails if the argument has several values. */
  public String val() {
    if (vals.size() > 1) {
      throw new IllegalArgumentException(
          "argument " + key + " has " + vals.size() + " values, expected one: " + this);
    }
    return vals.isEmpty() ? "" : vals.get(0);
  }

  /** The value as a base-10 integer; non-negative values may use the full uint64 range. */
  public long longVal() {
    String v = val();
    try {
      boolean signed = !v.isEmpty() && (v.charAt(0) == '-' || v.charAt(0) == '+');
      return signed ? Long.parseLong(v) : Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw invalid(v, "an integer");
    }
  }

  /** The value as a base-10 {@code int}. */
  public int intVal() {
    String v = val();
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw invalid(v, "an int");
    }
  }

  /** The value as a boolean, accepting exactly what Go's {@code strconv.ParseBool} accepts. */
  public boolean boolVal() {
    String v = val();
    return switch (v) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw invalid(v, "a bool");
    };
  }

  private IllegalArgumentException invalid(String v, String what) {
    return new IllegalArgumentException("argument " + key + ": \"" + v + "\" is not " + what);
  }

  /** The argument as it would be written on a directive line. */
  @Override
  public String toString() {
    if (vals.isEmpty()) {
      return key;
    }
    if (vals.size() == 1) {
      return key + "=" + vals.get(0);
    }
    return key + "=(" + String.join(", ", vals) + ")";
  }
}
