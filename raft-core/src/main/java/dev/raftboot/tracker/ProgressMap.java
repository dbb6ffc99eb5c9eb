package dev.raftboot.tracker;

import java.util.Map;
import java.util.TreeMap;

/** The progress of each peer by ID, iterated in ascending (unsigned) ID order. */
public final class ProgressMap extends TreeMap<Long, Progress> {

  private static final long serialVersionUID = 1L;

  public ProgressMap() {
    super(Long::compareUnsigned);
  }

  /** A deep copy: the progress entries are copied too. */
  public ProgressMap copy() {
    ProgressMap c = new ProgressMap();
    for (Map.Entry<Long, Progress> e : entrySet()) {
      c.put(e.getKey(), e.getValue().copy());
    }
    return c;
  }

  /** One line {@code <id in decimal>: <progress>} per peer, each ending in a newline. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    forEach((id, pr) -> sb.append(Long.toUnsignedString(id)).append(": ").append(pr).append('\n'));
    return sb.toString();
  }
}
