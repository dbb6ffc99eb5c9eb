package dev.raftboot.confchange;

import java.nio.charset.StandardCharsets;

/** The few Go text routines whose exact behaviour shows up in error messages. */
final class GoText {

  private GoText() {}

  /** Go's {@code strings.TrimSpace}. */
  static String trimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /** The length of {@code s} in UTF-8 bytes, which is what Go's {@code len} counts. */
  static int byteLength(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Go's {@code strconv.ParseUint(s, 10, 64)}, with its error texts: {@code strconv.ParseUint:
   * parsing "x": invalid syntax} or {@code ...: value out of range}.
   */
  static long parseUint(String s) {
    if (s.isEmpty()) {
      throw parseError(s, "invalid syntax");
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw parseError(s, "invalid syntax");
      }
      // Like Go, report overflow as soon as it happens, even if a bad character follows.
      if (Long.compareUnsigned(n, Long.divideUnsigned(-1L, 10)) > 0) {
        throw parseError(s, "value out of range");
      }
      long next = n * 10 + (c - '0');
      if (Long.compareUnsigned(next, n * 10) < 0) {
        throw parseError(s, "value out of range");
      }
      n = next;
    }
    return n;
  }

  private static IllegalArgumentException parseError(String s, String what) {
    return new IllegalArgumentException("strconv.ParseUint: parsing " + quote(s) + ": " + what);
  }

  /** Go's {@code strconv.Quote}: a double-quoted string with Go escapes for the unprintable. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int cp : s.codePoints().toArray()) {
      switch (cp) {
        case '"', '\\' -> sb.append('\\').appendCodePoint(cp);
        case 0x07 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case 0x0B -> sb.append("\\v");
        default -> {
          if (isPrint(cp)) {
            sb.appendCodePoint(cp);
          } else if (cp < ' ' || cp == 0x7F) {
            sb.append(String.format("\\x%02x", cp));
          } else if (cp < 0x10000) {
            sb.append(String.format("\\u%04x", cp));
          } else {
            sb.append(String.format("\\U%08x", cp));
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and ' '. */
  private static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    // Everything outside the separator (Z) and other (C) categories.
    return switch (Character.getType(cp)) {
      case Character.SPACE_SEPARATOR,
              Character.LINE_SEPARATOR,
              Character.PARAGRAPH_SEPARATOR,
              Character.CONTROL,
              Character.FORMAT,
              Character.PRIVATE_USE,
              Character.SURROGATE,
              Character.UNASSIGNED ->
          false;
      default -> true;
    };
  }

  private static boolean isSpace(char c) {
    return switch (c) {
      case '\t',
              '\n',
              0x0B,
              '\f',
              '\r',
              ' ',
              0x85,
              0xA0,
              0x1680,
              0x2028,
              0x2029,
              0x202F,
              0x205F,
              0x3000 ->
          true;
      default -> c >= 0x2000 && c <= 0x200A;
    };
  }
}
