package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data of a runtime snapshot: the members' addresses as of the snapshot (a node restored from
 * it must be able to reach everyone) and the application's state. Protobuf encoded: repeated field
 * 1 {1: id, 2: url}, field 2 the application's bytes.
 */
record SnapshotEnvelope(Map<Long, URI> addresses, ByteString state) {

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
        } else {
          in.skipField(tag);
        }
      }
      return new SnapshotEnvelope(addresses, state);
    } catch (IOException e) {
      throw new IllegalArgumentException("snapshot is not a raftboot snapshot: " + e.getMessage(), e);
    }
  }
}
