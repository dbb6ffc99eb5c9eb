package dev.raftboot;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * Number and boolean parsing with the acceptance rules and error texts of Go's {@code strconv},
 * for the few harness arguments whose parse errors are part of the expected output.
 */
final class GoStrconv {

  private GoStrconv() {}

  private static String quoted(String s) {
    return Describe.goQuote(ByteString.copyFrom(s, StandardCharsets.UTF_8));
  }

  /** Base-10 unsigned 64-bit value (digits only); Go's error text otherwise. */
  static long parseUint(String s) {
    if (s.isEmpty()) {
      throw new InteractionError("strconv.ParseUint: parsing " + quoted(s) + ": invalid syntax");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new InteractionError("strconv.ParseUint: parsing " + quoted(s) + ": invalid syntax");
      }
    }
    try {
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException e) {
      throw new InteractionError("strconv.ParseUint: parsing " + quoted(s) + ": value out of range");
    }
  }

  /** Go's {@code ParseBool}: 1 t T TRUE true True 0 f F FALSE false False. */
  static boolean parseBool(String s) {
    switch (s) {
      case "1":
      case "t":
      case "T":
      case "TRUE":
      case "true":
      case "True":
        return true;
      case "0":
      case "f":
      case "F":
      case "FALSE":
      case "false":
      case "False":
        return false;
      default:
        throw new InteractionError("strconv.ParseBool: parsing " + quoted(s) + ": invalid syntax");
    }
  }

  /** Go's {@code Atoi}: an optional sign and decimal digits fitting a signed 64-bit value. */
  static long parseInt(String s) {
    String digits = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    boolean ok = !digits.isEmpty();
    for (int i = 0; ok && i < digits.length(); i++) {
      char c = digits.charAt(i);
      ok = c >= '0' && c <= '9';
    }
    if (!ok) {
      throw new InteractionError("strconv.Atoi: parsing " + quoted(s) + ": invalid syntax");
    }
    try {
      return Long.parseLong(s.startsWith("+") ? digits : s);
    } catch (NumberFormatException e) {
      throw new InteractionError("strconv.Atoi: parsing " + quoted(s) + ": value out of range");
    }
  }
}
