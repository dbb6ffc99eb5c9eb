package dev.raftboot.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Snapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicated state machine of one simulated node: an append-only list of the payloads of the
 * normal entries it applied, plus a running hash over every applied entry (index, term, type and
 * data, conf changes and empty entries included). Two nodes at the same applied index have the
 * same hash exactly when they applied the same entries, so the hash makes state-machine safety
 * checkable in O(1) per entry, and snapshots carry it along with the payloads.
 */
final class StateMachine {

  long applied;
  long hash;
  /** The index of the last conf change applied since the snapshot this state started from. */
  long lastConfIndex;
  ConfState confState = ConfState.getDefaultInstance();
  final ArrayList<ByteString> payloads = new ArrayList<>();

  /** Applies one committed entry (conf changes only update the hash here; the node applies them). */
  void apply(Entry e) {
    if (e.getIndex() != applied + 1) {
      throw new IllegalStateException(
          "state machine at " + applied + " cannot apply entry " + e.getIndex());
    }
    applied = e.getIndex();
    hash = chain(hash, e);
    if (e.getType() == EntryType.EntryNormal) {
      if (!e.getData().isEmpty()) {
        payloads.add(e.getData());
      }
    } else {
      lastConfIndex = e.getIndex();
    }
  }

  static long chain(long h, Entry e) {
    long x = h * 0x9E3779B97F4A7C15L;
    x ^= mix(e.getIndex() * 31 + e.getTerm());
    x = mix(x + e.getType().getNumber());
    x ^= mix(x + e.getData().hashCode());
    return mix(x);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The snapshot payload: the hash, then the payloads, length-prefixed. */
  ByteString encode() {
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeFixed64NoTag(hash);
      cos.writeUInt32NoTag(payloads.size());
      for (ByteString p : payloads) {
        cos.writeBytesNoTag(p);
      }
      cos.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteString();
  }

  /** The state a snapshot describes; an empty snapshot gives the empty state machine. */
  static StateMachine fromSnapshot(Snapshot s) {
    StateMachine sm = new StateMachine();
    if (s.getMetadata().getIndex() == 0) {
      return sm;
    }
    sm.applied = s.getMetadata().getIndex();
    sm.confState = s.getMetadata().getConfState();
    CodedInputStream in = s.getData().newCodedInput();
    try {
      sm.hash = in.readFixed64();
      int n = in.readUInt32();
      for (int i = 0; i < n; i++) {
        sm.payloads.add(in.readBytes());
      }
    } catch (IOException e) {
      throw new IllegalStateException("corrupt snapshot data at index " + sm.applied, e);
    }
    return sm;
  }

  List<ByteString> payloads() {
    return payloads;
  }
}
