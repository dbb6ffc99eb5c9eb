package dev.raftboot.spring.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageFramingTests {

  @Test
  void encodesABatchAsLengthDelimitedMessages() throws Exception {
    List<Message> batch = List.of(app(1), app(2), app(3));
    int size = batch.stream().mapToInt(MessageFraming::framedSize).sum();

    byte[] body = MessageFraming.encode(batch, 0, 3, size);

    assertThat(body).isEqualTo(RaftPeerServletTests.frame(batch.toArray(Message[]::new)));
    assertThat(MessageFraming.decode(new ByteArrayInputStream(body), size)).isEqualTo(batch);
  }

  @Test
  void streamsASnapshotMessageThatDecodesToTheSameMessage() throws Exception {
    Message snap =
        RaftPeerServletTests.snapshot(1, 2, 300_000).toBuilder()
            .setSnapshot(
                RaftPeerServletTests.snapshot(1, 2, 300_000).getSnapshot().toBuilder()
                    .setMetadata(
                        SnapshotMetadata.newBuilder()
                            .setIndex(42)
                            .setTerm(7)
                            .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addLearners(3))))
            .setContext(ByteString.copyFromUtf8("ctx"))
            .build();

    MessageFraming.StreamedBody body = MessageFraming.streamed(snap);

    byte[] bytes = readAll(body.opener().get());
    assertThat((long) bytes.length).isEqualTo(body.length()).isEqualTo(MessageFraming.framedSize(snap));
    assertThat(MessageFraming.decode(new ByteArrayInputStream(bytes), bytes.length)).containsExactly(snap);
    // The client may open the body again (a retry).
    assertThat(readAll(body.opener().get())).isEqualTo(bytes);
  }

  @Test
  void streamsSnapshotsWithEmptyOrNoData() throws Exception {
    Message empty =
        Message.newBuilder()
            .setType(MessageType.MsgSnap)
            .setTo(2)
            .setFrom(1)
            .setSnapshot(Snapshot.newBuilder().setData(ByteString.EMPTY).setMetadata(SnapshotMetadata.newBuilder().setIndex(1)))
            .build();
    Message none = empty.toBuilder().setSnapshot(empty.getSnapshot().toBuilder().clearData()).build();

    for (Message m : List.of(empty, none)) {
      byte[] bytes = readAll(MessageFraming.streamed(m).opener().get());
      assertThat(MessageFraming.decode(new ByteArrayInputStream(bytes), bytes.length)).containsExactly(m);
    }
  }

  @Test
  void stopsReadingOnceTheLimitIsPassed() {
    byte[] body = MessageFraming.encode(List.of(app(1), app(2)), 0, 2, framed(app(1), app(2)));
    CountingStream in = new CountingStream(body);

    assertThatThrownBy(() -> MessageFraming.decode(in, body.length - 1))
        .isInstanceOf(MessageFraming.TooLargeException.class);
    assertThat(in.read).isEqualTo(body.length);
  }

  @Test
  void reportsAParseErrorAsSuch() {
    byte[] body = {0x03, 0x01, 0x02, 0x03};

    assertThatThrownBy(() -> MessageFraming.decode(new ByteArrayInputStream(body), 100))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  private static int framed(Message... ms) {
    int n = 0;
    for (Message m : ms) {
      n += MessageFraming.framedSize(m);
    }
    return n;
  }

  private static Message app(long index) {
    return Message.newBuilder()
        .setType(MessageType.MsgApp)
        .setFrom(1)
        .setTo(2)
        .setIndex(index)
        .addEntries(Entry.newBuilder().setIndex(index + 1).setTerm(1).setData(ByteString.copyFromUtf8("x")))
        .build();
  }

  private static byte[] readAll(InputStream in) throws Exception {
    try (in) {
      return in.readAllBytes();
    }
  }

  /** Counts the bytes taken from it. */
  private static final class CountingStream extends ByteArrayInputStream {
    int read;

    CountingStream(byte[] b) {
      super(b);
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      if (n > 0) {
        read += n;
      }
      return n;
    }

    @Override
    public synchronized int read() {
      int c = super.read();
      if (c >= 0) {
        read++;
      }
      return c;
    }
  }
}
