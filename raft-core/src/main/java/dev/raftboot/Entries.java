package dev.raftboot;

import dev.raftboot.raftpb.Entry;
import java.util.List;

/** Size arithmetic on entry lists, shared by the log, storage and flow control. */
final class Entries {

  private Entries() {}

  /** The protobuf size of all entries: what MaxSizePerMsg and the apply quota count. */
  static long size(List<Entry> ents) {
    long s = 0;
    for (int i = 0; i < ents.size(); i++) {
      s += ents.get(i).getSerializedSize();
    }
    return s;
  }

  /** The size of the payloads only: what the uncommitted-size limit and inflight bytes count. */
  static long payloadSize(List<Entry> ents) {
    long s = 0;
    for (int i = 0; i < ents.size(); i++) {
      s += ents.get(i).getData().size();
    }
    return s;
  }

  /**
   * The longest prefix of {@code ents} whose size stays within {@code maxSize} (unsigned), but at
   * least one entry, so that a single oversized entry still makes progress.
   */
  static List<Entry> limitSize(List<Entry> ents, long maxSize) {
    if (ents.isEmpty()) {
      return ents;
    }
    long size = ents.get(0).getSerializedSize();
    for (int limit = 1; limit < ents.size(); limit++) {
      size += ents.get(limit).getSerializedSize();
      if (Long.compareUnsigned(size, maxSize) > 0) {
        return ents.subList(0, limit);
      }
    }
    return ents;
  }
}
