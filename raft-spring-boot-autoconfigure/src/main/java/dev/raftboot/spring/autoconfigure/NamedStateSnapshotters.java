package dev.raftboot.spring.autoconfigure;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Several {@link StateSnapshotter} beans as one: the snapshot holds each bean's state under its
 * bean name, so that the application's own state and raftboot's (the lock table) are snapshotted
 * and restored together. Encoded as a protobuf message:
 *
 * <pre>
 * message Snapshots {
 *   string format = 1;        // "raftboot.snapshots/1"
 *   repeated Part parts = 2;
 * }
 * message Part { string bean = 1; bytes state = 2; }
 * </pre>
 *
 * A bean missing from a snapshot (one added since it was taken) keeps its state.
 */
final class NamedStateSnapshotters implements StateSnapshotter {

  static final String FORMAT = "raftboot.snapshots/1";

  private final Map<String, StateSnapshotter> beans;

  private NamedStateSnapshotters(Map<String, StateSnapshotter> beans) {
    this.beans = new TreeMap<>(beans);
  }

  /** No snapshotter for none, the bean itself for one (its format unchanged), else all of them. */
  static @Nullable StateSnapshotter of(Map<String, StateSnapshotter> beans) {
    if (beans.isEmpty()) {
      return null;
    }
    if (beans.size() == 1) {
      return beans.values().iterator().next();
    }
    return new NamedStateSnapshotters(beans);
  }

  @Override
  public ByteString snapshot() {
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeString(1, FORMAT);
      for (Map.Entry<String, StateSnapshotter> e : beans.entrySet()) {
        ByteString.Output part = ByteString.newOutput();
        CodedOutputStream p = CodedOutputStream.newInstance(part);
        p.writeString(1, e.getKey());
        p.writeBytes(2, e.getValue().snapshot());
        p.flush();
        cos.writeBytes(2, part.toByteString());
      }
      cos.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteString();
  }

  @Override
  public void restore(ByteString data) {
    Map<String, ByteString> parts = decode(data);
    for (Map.Entry<String, ByteString> e : parts.entrySet()) {
      StateSnapshotter bean = beans.get(e.getKey());
      if (bean == null) {
        throw new IllegalStateException(
            "the snapshot holds the state of bean '" + e.getKey() + "', which this node does not"
                + " have (it has " + beans.keySet() + "); deploy the same beans on every node");
      }
      bean.restore(e.getValue());
    }
  }

  private Map<String, ByteString> decode(ByteString data) {
    String format = "";
    Map<String, ByteString> parts = new LinkedHashMap<>();
    try {
      CodedInputStream in = data.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag >>> 3) {
          case 1 -> format = in.readString();
          case 2 -> {
            CodedInputStream p = in.readBytes().newCodedInput();
            String bean = "";
            ByteString state = ByteString.EMPTY;
            for (int t = p.readTag(); t != 0; t = p.readTag()) {
              switch (t >>> 3) {
                case 1 -> bean = p.readString();
                case 2 -> state = p.readBytes();
                default -> p.skipField(t);
              }
            }
            parts.put(bean, state);
          }
          default -> in.skipField(tag);
        }
      }
    } catch (IOException | RuntimeException e) {
      format = "";
    }
    if (!FORMAT.equals(format)) {
      throw new IllegalStateException(
          "the snapshot was not written for several StateSnapshotter beans " + beans.keySet()
              + " (it was probably taken while the application had only one); start this node with"
              + " the beans it had then, or remove its data directory so that it catches up from"
              + " the other nodes");
    }
    return parts;
  }
}
