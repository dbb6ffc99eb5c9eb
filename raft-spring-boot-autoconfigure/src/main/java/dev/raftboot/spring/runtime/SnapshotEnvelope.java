package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data of a runtime snapshot: the members' addresses as of the snapshot (a node restored from
 * it must be able to reach everyone), the application's state, and the ids of the commands
 * recently applied per origin node (so that a node restored from the snapshot recognises a
 * duplicated proposal exactly as the nodes that applied the log did). Protobuf encoded: repeated
 * field 1 {1: id, 2: url}, field 2 the application's bytes, repeated field 3 {1: origin, 2: packed
 * fixed64 request ids, oldest first}, repeated field 4 {1: idempotency key, 2: log index of its
 * first application, 3: fixed64 command fingerprint}, oldest first (see {@link IdempotencyTable}).
 * Snapshots written before field 3 or 4 existed decode with no applied ids or no keys.
 */
record SnapshotEnvelope(
    Map<Long, URI> addresses,
    ByteString state,
    Map<Long, List<Long>> appliedRequests,
    List<IdempotencyTable.Remembered> idempotencyKeys) {

  SnapshotEnvelope(Map<Long, URI> addresses, ByteString state) {
    this(addresses, state, Map.of(), List.of());
  }

  SnapshotEnvelope(Map<Long, URI> addresses, ByteString state, Map<Long, List<Long>> appliedRequests) {
    this(addresses, state, appliedRequests, List.of());
  }

  ByteString encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      for (Map.Entry<Long, URI> e : new TreeMap<>(addresses).entrySet()) {
        byte[] url = e.getValue().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int len = CodedOutputStream.computeUInt64Size(1, e.getKey()) + CodedOutputStream.computeByteArraySize(2, url);
        out.writeTag(1, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(len);
        out.writeUInt64(1, e.getKey());
        out.writeByteArray(2, url);
      }
      out.writeBytes(2, state);
      for (Map.Entry<Long, List<Long>> e : new TreeMap<>(appliedRequests).entrySet()) {
        List<Long> ids = e.getValue();
        int idsSize = 8 * ids.size();
        int len =
            CodedOutputStream.computeUInt64Size(1, e.getKey())
                + CodedOutputStream.computeTagSize(2)
                + CodedOutputStream.computeUInt32SizeNoTag(idsSize)
                + idsSize;
        out.writeTag(3, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(len);
        out.writeUInt64(1, e.getKey());
        out.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(idsSize);
        for (long id : ids) {
          out.writeFixed64NoTag(id);
        }
      }
      for (IdempotencyTable.Remembered r : idempotencyKeys) {
        int len =
            CodedOutputStream.computeStringSize(1, r.key())
                + CodedOutputStream.computeUInt64Size(2, r.index())
                + CodedOutputStream.computeFixed64Size(3, r.fingerprint());
        out.writeTag(4, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(len);
        out.writeString(1, r.key());
        out.writeUInt64(2, r.index());
        out.writeFixed64(3, r.fingerprint());
      }
      out.flush();
      return ByteString.copyFrom(bytes.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static SnapshotEnvelope decode(ByteString data) {
    try {
      CodedInputStream in = data.newCodedInput();
      Map<Long, URI> addresses = new TreeMap<>();
      ByteString state = ByteString.EMPTY;
      Map<Long, List<Long>> applied = new TreeMap<>();
      List<IdempotencyTable.Remembered> keys = new ArrayList<>();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag >>> 3 == 1) {
          CodedInputStream peer = in.readBytes().newCodedInput();
          long id = 0;
          String url = null;
          for (int t = peer.readTag(); t != 0; t = peer.readTag()) {
            if (t >>> 3 == 1) {
              id = peer.readUInt64();
            } else if (t >>> 3 == 2) {
              url = peer.readStringRequireUtf8();
            } else {
              peer.skipField(t);
            }
          }
          if (id != 0 && url != null) {
            addresses.put(id, URI.create(url));
          }
        } else if (tag >>> 3 == 2) {
          state = in.readBytes();
        } else if (tag >>> 3 == 3) {
          CodedInputStream origin = in.readBytes().newCodedInput();
          long id = 0;
          List<Long> ids = new ArrayList<>();
          for (int t = origin.readTag(); t != 0; t = origin.readTag()) {
            if (t >>> 3 == 1) {
              id = origin.readUInt64();
            } else if (t >>> 3 == 2) {
              CodedInputStream packed = origin.readBytes().newCodedInput();
              while (!packed.isAtEnd()) {
                ids.add(packed.readFixed64());
              }
            } else {
              origin.skipField(t);
            }
          }
          if (id != 0) {
            applied.put(id, List.copyOf(ids));
          }
        } else if (tag >>> 3 == 4) {
          keys.add(rememberedKey(in.readBytes().newCodedInput()));
        } else {
          in.skipField(tag);
        }
      }
      return new SnapshotEnvelope(addresses, state, applied, List.copyOf(keys));
    } catch (IOException e) {
      throw new IllegalArgumentException("snapshot is not a raftboot snapshot: " + e.getMessage(), e);
    }
  }

  private static IdempotencyTable.Remembered rememberedKey(CodedInputStream in) throws IOException {
    String key = null;
    long index = 0;
    long fingerprint = 0;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      switch (t >>> 3) {
        case 1 -> key = in.readStringRequireUtf8();
        case 2 -> index = in.readUInt64();
        case 3 -> fingerprint = in.readFixed64();
        default -> in.skipField(t);
      }
    }
    if (key == null) {
      // Skipping it would let every node restored from this snapshot apply a retry again.
      throw new IOException("an idempotency key without its key");
    }
    return new IdempotencyTable.Remembered(key, index, fingerprint);
  }
}
