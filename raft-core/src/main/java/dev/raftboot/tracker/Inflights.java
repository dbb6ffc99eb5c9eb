package dev.raftboot.tracker;

import java.util.Arrays;

/**
 * The appends sent to a follower and not yet acknowledged, as (last index, bytes) pairs in sending
 * order. Bounds both their number and their total size, to limit what a leader pushes at once.
 */
public final class Inflights {

  private final int size;
  private final long maxBytes;

  /** Ring buffer, grown on demand up to {@link #size} so idle followers cost little memory. */
  private long[] indexes = new long[0];

  private long[] sizes = new long[0];
  private int start;
  private int count;
  private long bytes;

  /**
   * @param size the maximum number of appends in flight
   * @param maxBytes the maximum total payload in flight; {@code 0} or {@code -1L} (2^64-1) mean no
   *     byte limit
   */
  public Inflights(int size, long maxBytes) {
    if (size <= 0) {
      throw new IllegalArgumentException("inflight window size must be positive: " + size);
    }
    this.size = size;
    this.maxBytes = maxBytes;
  }

  /**
   * Records an append whose last entry is {@code index}, carrying {@code bytes} of payload. Indexes
   * must increase from call to call.
   *
   * @throws IllegalStateException if the window is {@link #full()}
   */
  public void add(long index, long bytes) {
    if (full()) {
      throw new IllegalStateException("cannot add into a full inflights");
    }
    int slot = (start + count) % size;
    if (slot >= indexes.length) {
      grow();
    }
    indexes[slot] = index;
    sizes[slot] = bytes;
    count++;
    this.bytes += bytes;
  }

  /** Forgets the appends whose last index is {@code <= to}: the follower has acknowledged them. */
  public void freeLE(long to) {
    int freed = 0;
    long freedBytes = 0;
    int slot = start;
    while (freed < count && Long.compareUnsigned(indexes[slot], to) <= 0) {
      freedBytes += sizes[slot];
      freed++;
      slot = (slot + 1) % size;
    }
    count -= freed;
    bytes -= freedBytes;
    start = count == 0 ? 0 : slot;
  }

  /** Whether no more appends may be sent: the count or the byte limit is reached. */
  public boolean full() {
    return count == size || (maxBytes != 0 && Long.compareUnsigned(bytes, maxBytes) >= 0);
  }

  /** The number of appends in flight. */
  public int count() {
    return count;
  }

  /** Forgets all appends in flight. */
  public void reset() {
    start = 0;
    count = 0;
    bytes = 0;
  }

  /** An independent copy with the same limits and contents. */
  public Inflights copy() {
    Inflights c = new Inflights(size, maxBytes);
    c.indexes = indexes.clone();
    c.sizes = sizes.clone();
    c.start = start;
    c.count = count;
    c.bytes = bytes;
    return c;
  }

  /**
   * Grows the buffer. Only called while the used slots are a prefix of the buffer (a wrapped window
   * means the buffer has already reached {@link #size}), so a plain copy keeps the order.
   */
  private void grow() {
    int n = Math.min(size, Math.max(1, indexes.length * 2));
    indexes = Arrays.copyOf(indexes, n);
    sizes = Arrays.copyOf(sizes, n);
  }
}
