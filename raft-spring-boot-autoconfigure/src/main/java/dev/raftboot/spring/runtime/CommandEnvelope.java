package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;

/**
 * What a log entry of the runtime holds: the application's command plus the id the originating
 * node uses to hand the result back to its caller and, when the caller chose one, its idempotency
 * key with the number of keys the proposer's cluster remembers (see {@link IdempotencyTable}).
 * Encoded as a protobuf message (field 1 request id, 2 origin node, 3 payload, 4 idempotency key,
 * 5 key window) so other tools can read it; entries written before fields 4 and 5 existed decode
 * without a key.
 *
 * @param idempotencyKey the caller's key, or null
 * @param keyWindow how many keys the table keeps once this entry's key is added (0 without a key)
 */
record CommandEnvelope(
    long requestId, long origin, ByteString payload, String idempotencyKey, int keyWindow) {

  CommandEnvelope(long requestId, long origin, ByteString payload) {
    this(requestId, origin, payload, null, 0);
  }

  boolean hasKey() {
    return idempotencyKey != null;
  }

  /**
   * Written into one array of exactly its size: a growing buffer would hand out a rope of its
   * chunks, which every later read of the entry (the leader's own apply) decodes the slow way.
   */
  ByteString encode() {
    int size =
        CodedOutputStream.computeFixed64Size(1, requestId)
            + CodedOutputStream.computeUInt64Size(2, origin)
            + CodedOutputStream.computeBytesSize(3, payload);
    if (idempotencyKey != null) {
      size +=
          CodedOutputStream.computeStringSize(4, idempotencyKey)
              + CodedOutputStream.computeUInt32Size(5, keyWindow);
    }
    byte[] out = new byte[size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeFixed64(1, requestId);
      cos.writeUInt64(2, origin);
      cos.writeBytes(3, payload);
      if (idempotencyKey != null) {
        cos.writeString(4, idempotencyKey);
        cos.writeUInt32(5, keyWindow);
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return UnsafeByteOperations.unsafeWrap(out);
  }

  static CommandEnvelope decode(ByteString data) {
    try {
      CodedInputStream in = data.newCodedInput();
      long requestId = 0;
      long origin = 0;
      ByteString payload = ByteString.EMPTY;
      String key = null;
      int window = 0;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag >>> 3) {
          case 1 -> requestId = in.readFixed64();
          case 2 -> origin = in.readUInt64();
          case 3 -> payload = in.readBytes();
          case 4 -> key = in.readStringRequireUtf8();
          case 5 -> window = in.readUInt32();
          default -> in.skipField(tag);
        }
      }
      return new CommandEnvelope(requestId, origin, payload, key, key == null ? 0 : window);
    } catch (IOException e) {
      throw new IllegalArgumentException("log entry is not a raftboot command: " + e.getMessage(), e);
    }
  }
}
