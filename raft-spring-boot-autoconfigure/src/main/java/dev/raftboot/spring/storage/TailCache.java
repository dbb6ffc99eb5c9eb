package dev.raftboot.spring.storage;

import dev.raftboot.raftpb.Entry;
import java.util.Arrays;
import java.util.List;

/**
 * The newest persisted entries of the log, held in a ring so that raft's reads of recent indexes
 * never reach the database. The cached entries are always a contiguous run that ends at the last
 * index of the log (or nothing). Not thread-safe: {@link JdbcStorage} guards it with its lock.
 */
final class TailCache {

  private final Entry[] ring;
  private int head;
  private int size;

  /** Index of the entry at {@code head}; meaningless while {@code size == 0}. */
  private long firstIndex;

  TailCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.ring = new Entry[capacity];
  }

  int capacity() {
    return ring.length;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The lowest cached index; only meaningful when not empty. */
  long firstIndex() {
    return firstIndex;
  }

  boolean contains(long index) {
    return size > 0 && index >= firstIndex && index - firstIndex < size;
  }

  Entry get(long index) {
    if (!contains(index)) {
      throw new IllegalArgumentException("index " + index + " is not cached");
    }
    return ring[slot((int) (index - firstIndex))];
  }

  /**
   * Adds entries that directly follow the cached ones. Entries that do not (after the cache was
   * emptied, say) replace the whole content. The oldest entries fall out when the ring is full.
   */
  void append(List<Entry> entries) {
    if (ring.length == 0 || entries.isEmpty()) {
      return;
    }
    long first = entries.get(0).getIndex();
    if (size > 0 && first != firstIndex + size) {
      clear();
    }
    int skip = Math.max(0, entries.size() - ring.length);
    if (skip > 0) {
      clear();
    }
    for (int i = skip; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (size == 0) {
        firstIndex = e.getIndex();
      }
      if (size == ring.length) {
        ring[head] = null;
        head = slot(1);
        firstIndex++;
        size--;
      }
      ring[slot(size)] = e;
      size++;
    }
  }

  /** Forgets the entries at {@code index} and above (they are being replaced). */
  void truncateFrom(long index) {
    if (size == 0 || index >= firstIndex + size) {
      return;
    }
    if (index <= firstIndex) {
      clear();
      return;
    }
    int keep = (int) (index - firstIndex);
    for (int i = keep; i < size; i++) {
      ring[slot(i)] = null;
    }
    size = keep;
  }

  /** Forgets the entries at {@code index} and below (they were compacted). */
  void dropThrough(long index) {
    while (size > 0 && firstIndex <= index) {
      ring[head] = null;
      head = slot(1);
      firstIndex++;
      size--;
    }
  }

  void clear() {
    Arrays.fill(ring, null);
    head = 0;
    size = 0;
  }

  private int slot(int offset) {
    return (head + offset) % ring.length;
  }
}
