package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;

/**
 * What a log entry of the runtime holds: the application's command plus the id the originating
 * node uses to hand the result back to its caller. Encoded as a protobuf message (field 1 request
 * id, 2 origin node, 3 payload) so other tools can read it.
 */
record CommandEnvelope(long requestId, long origin, ByteString payload) {

  ByteString encode() {
    int size =
        CodedOutputStream.computeFixed64Size(1, requestId)
            + CodedOutputStream.computeUInt64Size(2, origin)
            + CodedOutputStream.computeBytesSize(3, payload);
    byte[] out = new byte[size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeFixed64(1, requestId);
      cos.writeUInt64(2, origin);
      cos.writeBytes(3, payload);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return ByteString.copyFrom(out);
  }

  static CommandEnvelope decode(ByteString data) {
    try {
      CodedInputStream in = data.newCodedInput();
      long requestId = 0;
      long origin = 0;
      ByteString payload = ByteString.EMPTY;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag >>> 3) {
          case 1 -> requestId = in.readFixed64();
          case 2 -> origin = in.readUInt64();
          case 3 -> payload = in.readBytes();
          default -> in.skipField(tag);
        }
      }
      return new CommandEnvelope(requestId, origin, payload);
    } catch (IOException e) {
      throw new IllegalArgumentException("log entry is not a raftboot command: " + e.getMessage(), e);
    }
  }
}
