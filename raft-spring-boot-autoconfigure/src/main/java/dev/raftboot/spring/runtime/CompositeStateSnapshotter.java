package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One {@link StateSnapshotter} made of several, each under its part name, so that an application
 * may have a snapshotter per replicated service. The auto-configuration builds one from all
 * snapshotter beans.
 *
 * <h2>Format</h2>
 *
 * <p>The bytes start with the 8-byte marker {@code 00 'R' 'B' 'P' 'A' 'R' 'T' 01}, followed by
 * the parts in name order, protobuf encoded: repeated field 1 {1: name, 2: bytes}. Bytes without
 * the marker are a snapshot of raftboot 0.1, which had one snapshotter and stored its bytes as they
 * were: they are restored into the only part (or the only one that does not accept a missing
 * part, the others restored empty), and refused otherwise, since nothing
 * says whose they are.
 *
 * <p>A restore checks every name before it restores anything: a part in the snapshot that no
 * snapshotter claims, or a missing part of a snapshotter that does not {@linkplain
 * StateSnapshotter#acceptsMissingPart() accept that}, is an {@link IllegalStateException} naming
 * both sets, and leaves every snapshotter untouched.
 */
public final class CompositeStateSnapshotter implements StateSnapshotter {

  private static final ByteString MARKER =
      ByteString.copyFrom(new byte[] {0, 'R', 'B', 'P', 'A', 'R', 'T', 1});

  private final Map<String, StateSnapshotter> parts;

  /**
   * Combines {@code snapshotters}, keyed by bean name; a snapshotter whose {@link
   * StateSnapshotter#snapshotPartName()} is not null is stored under that name instead.
   *
   * @throws IllegalArgumentException if there are none, or two of them share a part name
   */
  public CompositeStateSnapshotter(Map<String, ? extends StateSnapshotter> snapshotters) {
    if (snapshotters.isEmpty()) {
      throw new IllegalArgumentException("no StateSnapshotter to combine");
    }
    Map<String, StateSnapshotter> byName = new TreeMap<>();
    Map<String, String> beanOf = new TreeMap<>();
    snapshotters.forEach(
        (bean, snapshotter) -> {
          String own = snapshotter.snapshotPartName();
          String name = own != null ? own : bean;
          if (name.isEmpty()) {
            throw new IllegalArgumentException(
                "StateSnapshotter bean " + bean + " returns an empty snapshotPartName()");
          }
          String previous = beanOf.putIfAbsent(name, bean);
          if (previous != null) {
            throw new IllegalArgumentException(
                "StateSnapshotter beans "
                    + previous
                    + " and "
                    + bean
                    + " both store their snapshot part as \""
                    + name
                    + "\"; give one of them another snapshotPartName()");
          }
          byName.put(name, snapshotter);
        });
    this.parts = Collections.unmodifiableMap(byName);
  }

  /** The part names, in the order the parts are written. */
  public Set<String> partNames() {
    return parts.keySet();
  }

  @Override
  public ByteString snapshot() {
    try {
      ByteString.Output bytes = ByteString.newOutput();
      MARKER.writeTo(bytes);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      for (Map.Entry<String, StateSnapshotter> part : parts.entrySet()) {
        ByteString data = part.getValue().snapshot();
        out.writeTag(1, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(
            CodedOutputStream.computeStringSize(1, part.getKey())
                + CodedOutputStream.computeBytesSize(2, data));
        out.writeString(1, part.getKey());
        out.writeBytes(2, data);
      }
      out.flush();
      return bytes.toByteString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void restore(ByteString data) {
    if (!data.startsWith(MARKER)) {
      restoreSingle(data);
      return;
    }
    Map<String, ByteString> stored = decode(data.substring(MARKER.size()));
    Set<String> unknown = new TreeSet<>(stored.keySet());
    unknown.removeAll(parts.keySet());
    Set<String> missing = new TreeSet<>(parts.keySet());
    missing.removeAll(stored.keySet());
    missing.removeIf(name -> parts.get(name).acceptsMissingPart());
    if (!unknown.isEmpty() || !missing.isEmpty()) {
      throw new IllegalStateException(
          "The snapshot holds the parts "
              + stored.keySet()
              + " but this application's StateSnapshotter beans are "
              + parts.keySet()
              + (unknown.isEmpty() ? "" : "; no bean restores " + unknown)
              + (missing.isEmpty() ? "" : "; no part for " + missing)
              + ". Nothing was restored. Keep the part names of older versions (override"
              + " snapshotPartName() after renaming a bean); a snapshotter added after the snapshot"
              + " was taken, whose state was empty then, returns true from acceptsMissingPart().");
    }
    parts.forEach((name, part) -> part.restore(stored.getOrDefault(name, ByteString.EMPTY)));
  }

  private void restoreSingle(ByteString data) {
    // The 0.1 bytes belong to the one part that cannot start empty; the others were added since.
    List<String> owners = new ArrayList<>(parts.keySet());
    owners.removeIf(name -> parts.size() > 1 && parts.get(name).acceptsMissingPart());
    if (owners.size() != 1) {
      throw new IllegalStateException(
          "The snapshot was written by raftboot 0.1 for a single StateSnapshotter and names no"
              + " part, but this application has "
              + parts.size()
              + " "
              + parts.keySet()
              + ". Nothing was restored. Start this version with only the snapshotter that wrote"
              + " it, take a snapshot on every node (POST /actuator/raft/snapshot), then add the"
              + " others.");
    }
    String owner = owners.get(0);
    parts.forEach((name, part) -> part.restore(name.equals(owner) ? data : ByteString.EMPTY));
  }

  private static Map<String, ByteString> decode(ByteString body) {
    Map<String, ByteString> stored = new TreeMap<>();
    List<String> duplicates = new ArrayList<>();
    try {
      CodedInputStream in = body.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag >>> 3 != 1) {
          in.skipField(tag);
          continue;
        }
        CodedInputStream part = in.readBytes().newCodedInput();
        String name = null;
        ByteString bytes = ByteString.EMPTY;
        for (int t = part.readTag(); t != 0; t = part.readTag()) {
          if (t >>> 3 == 1) {
            name = part.readStringRequireUtf8();
          } else if (t >>> 3 == 2) {
            bytes = part.readBytes();
          } else {
            part.skipField(t);
          }
        }
        if (name == null) {
          throw new IllegalStateException("The snapshot has a part without a name");
        }
        if (stored.put(name, bytes) != null) {
          duplicates.add(name);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("The snapshot's parts are corrupt: " + e.getMessage(), e);
    }
    if (!duplicates.isEmpty()) {
      throw new IllegalStateException("The snapshot holds the parts " + duplicates + " twice");
    }
    return stored;
  }
}
