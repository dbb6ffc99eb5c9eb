package dev.raftboot.datadriven;

/** Go's notion of white space ({@code unicode.IsSpace}), which decides what the reader trims. */
final class GoSpace {

  private GoSpace() {}

  static boolean isSpace(int cp) {
    return switch (cp) {
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
      default -> cp >= 0x2000 && cp <= 0x200A;
    };
  }

  /** {@code s} without leading and trailing Go white space. */
  static String trim(String s) {
    int start = skipLeading(s, 0);
    return start == s.length() ? "" : s.substring(start, trailingEnd(s));
  }

  /** The first index at or after {@code from} that is not Go white space. */
  static int skipLeading(String s, int from) {
    int i = from;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int trailingEnd(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return end;
  }
}
