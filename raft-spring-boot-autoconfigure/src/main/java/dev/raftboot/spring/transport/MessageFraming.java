package dev.raftboot.spring.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The body format of both peer endpoints: protobuf {@link Message}s, each preceded by its length
 * as a varint ({@link Message#writeDelimitedTo}), back to back.
 */
final class MessageFraming {

  private static final int MESSAGE_SNAPSHOT_FIELD = Message.SNAPSHOT_FIELD_NUMBER;
  private static final int SNAPSHOT_DATA_FIELD = Snapshot.DATA_FIELD_NUMBER;
  /** What a declared body length reserves before its bytes arrive. */
  static final int UNTRUSTED_ALLOCATION = 64 * 1024;
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private MessageFraming() {}

  /** Bytes {@code m} takes in a body, length prefix included. */
  static int framedSize(Message m) {
    int size = m.getSerializedSize();
    return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  /** Encodes {@code messages[from, to)}, whose framed sizes add up to {@code totalSize}. */
  static byte[] encode(List<Message> messages, int from, int to, int totalSize) {
    byte[] body = new byte[totalSize];
    encode(messages, from, to, body, 0, totalSize);
    return body;
  }

  /** Encodes {@code messages[from, to)} into exactly {@code into[offset, offset + totalSize)}. */
  static void encode(List<Message> messages, int from, int to, byte[] into, int offset, int totalSize) {
    CodedOutputStream out = CodedOutputStream.newInstance(into, offset, totalSize);
    try {
      for (int i = from; i < to; i++) {
        Message m = messages.get(i);
        out.writeUInt32NoTag(m.getSerializedSize());
        m.writeTo(out);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("message sizes changed while encoding", e);
    }
  }

  /**
   * A framed single message whose snapshot data is not copied: the small fields are encoded up
   * front and the data is read from its {@link ByteString} as the request body is sent. The parser
   * accepts fields in any order, so the result decodes to a message equal to {@code m}.
   */
  static StreamedBody streamed(Message m) {
    if (!m.hasSnapshot() || !m.getSnapshot().hasData()) {
      byte[] body = encode(List.of(m), 0, 1, framedSize(m));
      return new StreamedBody(body.length, () -> new ByteArrayInputStream(body));
    }
    Snapshot snap = m.getSnapshot();
    ByteString data = snap.getData();
    Message head = m.toBuilder().clearSnapshot().build();
    Snapshot snapHead = snap.toBuilder().clearData().build();
    int prefixSize =
        CodedOutputStream.computeUInt32SizeNoTag(m.getSerializedSize())
            + head.getSerializedSize()
            + CodedOutputStream.computeTagSize(MESSAGE_SNAPSHOT_FIELD)
            + CodedOutputStream.computeUInt32SizeNoTag(snap.getSerializedSize())
            + snapHead.getSerializedSize()
            + CodedOutputStream.computeTagSize(SNAPSHOT_DATA_FIELD)
            + CodedOutputStream.computeUInt32SizeNoTag(data.size());
    byte[] prefix = new byte[prefixSize];
    CodedOutputStream out = CodedOutputStream.newInstance(prefix);
    try {
      out.writeUInt32NoTag(m.getSerializedSize());
      head.writeTo(out);
      out.writeTag(MESSAGE_SNAPSHOT_FIELD, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(snap.getSerializedSize());
      snapHead.writeTo(out);
      out.writeTag(SNAPSHOT_DATA_FIELD, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(data.size());
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("snapshot message sizes changed while encoding", e);
    }
    long length = (long) prefixSize + data.size();
    return new StreamedBody(
        length, () -> new SequenceInputStream(new ByteArrayInputStream(prefix), data.newInput()));
  }

  /** A body of known length that can be opened as often as the HTTP client needs. */
  record StreamedBody(long length, java.util.function.Supplier<InputStream> opener) {}

  /**
   * Decodes every message of a body. The messages' {@code bytes} fields (entry data, snapshot
   * data, contexts) share {@code body} instead of being copied out of it, so {@code body} must
   * never change afterwards.
   *
   * @throws IOException (usually {@link com.google.protobuf.InvalidProtocolBufferException}) when
   *     the body is not a sequence of length-delimited messages
   */
  static List<Message> decode(byte[] body) throws IOException {
    // Only a stream over a buffer protobuf regards as immutable aliases it.
    CodedInputStream in = UnsafeByteOperations.unsafeWrap(body).newCodedInput();
    in.enableAliasing(true);
    List<Message> out = new ArrayList<>();
    while (!in.isAtEnd()) {
      int length = in.readRawVarint32();
      int left = body.length - in.getTotalBytesRead();
      if (length < 0 || length > left) {
        throw new EOFException(
            "message " + out.size() + " claims " + Integer.toUnsignedString(length) + " bytes, the body has " + left + " left");
      }
      int outer = in.pushLimit(length);
      out.add(Message.parser().parseFrom(in));
      // An end-group tag stops the parser before the message's end: not a message then.
      in.checkLastTagWas(0);
      in.popLimit(outer);
    }
    return out;
  }

  /**
   * Reads a whole body, at most {@code limit} bytes: a request is authenticated over its bytes
   * before any of them is parsed. With a declared length the bytes are read straight into one
   * array of that length, which grows from {@link #UNTRUSTED_ALLOCATION} only as bytes arrive, so
   * that a length claimed by an unauthenticated sender reserves no memory it does not send.
   *
   * @param declared the {@code Content-Length}, at most {@code limit}, or -1 when there is none
   * @throws TooLargeException as soon as more than the limit was read
   * @throws EOFException if the body ends before its declared length
   */
  static byte[] readBody(InputStream body, long declared, long limit) throws IOException {
    if (declared < 0) {
      return new LimitedInputStream(body, limit).readAllBytes();
    }
    if (declared > limit || declared > MAX_ARRAY_LENGTH) {
      throw new TooLargeException(Math.min(limit, MAX_ARRAY_LENGTH));
    }
    int length = (int) declared;
    byte[] bytes = new byte[Math.min(length, UNTRUSTED_ALLOCATION)];
    int read = 0;
    while (read < length) {
      if (read == bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.min(length, 2L * bytes.length));
      }
      int n = body.read(bytes, read, bytes.length - read);
      if (n < 0) {
        throw new EOFException("body ended after " + read + " of its " + length + " bytes");
      }
      read += n;
    }
    return bytes;
  }

  /** The body was larger than the limit; thrown while reading, before the rest is read. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long limit) {
      super("body exceeds " + limit + " bytes");
    }
  }

  /** Counts what is read and fails once more than {@code limit} bytes came through. */
  private static final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      // Never ask for more than one byte past the limit.
      int n = super.read(b, off, (int) Math.min(len, limit - count + 1));
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(Math.min(n, limit - count + 1));
      count(skipped);
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    private void count(long n) throws TooLargeException {
      count += n;
      if (count > limit) {
        throw new TooLargeException(limit);
      }
    }
  }
}
