package dev.raftboot.bench.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Protobuf encoding and decoding of an append ({@code MsgApp}) carrying 64 entries of 128 bytes,
 * as it travels between nodes: microseconds per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class MessageCodecBenchmark {

  static final int ENTRIES = 64;
  static final int ENTRY_BYTES = 128;

  private Message append;
  private byte[] encoded;
  private byte[] buffer;

  @Setup(Level.Trial)
  public void setUp() {
    ByteString data = MemoryCluster.payload(ENTRY_BYTES);
    Message.Builder m =
        Message.newBuilder()
            .setType(MessageType.MsgApp)
            .setTo(2)
            .setFrom(1)
            .setTerm(7)
            .setLogTerm(7)
            .setIndex(1_000_000)
            .setCommit(999_990);
    for (int i = 0; i < ENTRIES; i++) {
      m.addEntries(
          Entry.newBuilder()
              .setType(EntryType.EntryNormal)
              .setTerm(7)
              .setIndex(1_000_001 + i)
              .setData(data));
    }
    append = m.build();
    encoded = append.toByteArray();
    buffer = new byte[encoded.length];
  }

  /** {@code toByteArray()}: a fresh array per message. */
  @Benchmark
  public byte[] encode() {
    return append.toByteArray();
  }

  /** Into a reused buffer (the size is memoized by the message). */
  @Benchmark
  public int encodeIntoBuffer() throws IOException {
    CodedOutputStream out = CodedOutputStream.newInstance(buffer);
    append.writeTo(out);
    return out.getTotalBytesWritten();
  }

  /** {@code parseFrom(byte[])}: entry payloads are copied out of the input. */
  @Benchmark
  public Message decode() throws IOException {
    return Message.parseFrom(encoded);
  }

  /** With aliasing: entry payloads share the input array instead of being copied. */
  @Benchmark
  public Message decodeAliasing() throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(encoded);
    in.enableAliasing(true);
    return Message.parseFrom(in);
  }

  /** Encoded size, for the docs. */
  public int encodedSize() {
    return encoded.length;
  }
}
