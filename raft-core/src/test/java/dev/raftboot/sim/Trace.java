package dev.raftboot.sim;

/**
 * The last few hundred things that happened, as a ring buffer. Items are kept as objects and only
 * formatted when the trace is printed, so tracing costs almost nothing while the run is healthy.
 */
final class Trace {

  private final Object[] items;
  private final long[] steps;
  private final long[] times;
  private long count;
  long step;
  long now;

  Trace(int capacity) {
    items = new Object[capacity];
    steps = new long[capacity];
    times = new long[capacity];
  }

  void add(Object item) {
    int i = (int) (count % items.length);
    items[i] = item;
    steps[i] = step;
    times[i] = now;
    count++;
  }

  /** The last {@code n} items, one per line, oldest first. */
  String tail(int n) {
    StringBuilder sb = new StringBuilder();
    long from = Math.max(0, count - Math.min(n, items.length));
    for (long k = from; k < count; k++) {
      int i = (int) (k % items.length);
      sb.append("  [step ").append(steps[i]).append(" t=").append(times[i]).append("] ");
      String s;
      try {
        s = String.valueOf(items[i]);
      } catch (RuntimeException e) {
        s = "<unprintable: " + e + ">";
      }
      sb.append(s).append('\n');
    }
    return sb.toString();
  }

  /** A cheap fingerprint of everything traced so far, for determinism checks. */
  long count() {
    return count;
  }
}
