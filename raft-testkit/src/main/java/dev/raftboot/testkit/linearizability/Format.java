package dev.raftboot.testkit.linearizability;

/** Small helpers for the human-readable renderings used in explanations. */
final class Format {

    private Format() {
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** A value, or the word {@code absent} for {@code null}. */
    static String valueOrAbsent(String valueOrNull) {
        return valueOrNull == null ? "absent" : quote(valueOrNull);
    }

    static String time(long t) {
        return t == Long.MAX_VALUE ? "never" : Long.toString(t);
    }
}
