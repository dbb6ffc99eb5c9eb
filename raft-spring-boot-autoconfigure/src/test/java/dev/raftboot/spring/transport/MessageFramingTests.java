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
    assertThat(MessageFraming.decode(body)).isEqualTo(batch);
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
    assertThat(MessageFraming.decode(bytes)).containsExactly(snap);
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
      assertThat(MessageFraming.decode(bytes)).containsExactly(m);
    }
  }

  @Test
  void stopsReadingABodyWithoutLengthOnceTheLimitIsPassed() {
    byte[] body = MessageFraming.encode(List.of(app(1), app(2)), 0, 2, framed(app(1), app(2)));
    CountingStream in = new CountingStream(body);

    assertThatThrownBy(() -> MessageFraming.readBody(in, -1, body.length - 1))
        .isInstanceOf(MessageFraming.TooLargeException.class);
    assertThat(in.read).isEqualTo(body.length);
  }

  @Test
  void readsABodyWithoutLengthUpToExactlyTheLimit() throws Exception {
    byte[] body = MessageFraming.encode(List.of(app(1), app(2)), 0, 2, framed(app(1), app(2)));

    assertThat(MessageFraming.readBody(new ByteArrayInputStream(body), -1, body.length)).isEqualTo(body);
  }

  @Test
  void readsExactlyTheDeclaredLengthAndLeavesWhatFollows() throws Exception {
    byte[] body = MessageFraming.encode(List.of(app(1), app(2)), 0, 2, framed(app(1), app(2)));
    byte[] withNext = java.util.Arrays.copyOf(body, body.length + 5);
    CountingStream in = new CountingStream(withNext);

    assertThat(MessageFraming.readBody(in, body.length, body.length)).isEqualTo(body);
    assertThat(in.read).isEqualTo(body.length);
  }

  @Test
  void refusesADeclaredLengthOverTheLimitWithoutReading() {
    CountingStream in = new CountingStream(new byte[100]);

    assertThatThrownBy(() -> MessageFraming.readBody(in, 100, 99)).isInstanceOf(MessageFraming.TooLargeException.class);
    assertThat(in.read).isZero();
  }

  @Test
  void reportsABodyShorterThanItsDeclaredLength() {
    byte[] body = MessageFraming.encode(List.of(app(1)), 0, 1, framed(app(1)));

    assertThatThrownBy(() -> MessageFraming.readBody(new ByteArrayInputStream(body), body.length + 3, 1 << 20))
        .isInstanceOf(java.io.EOFException.class)
        .hasMessageContaining("after " + body.length + " of its " + (body.length + 3) + " bytes");
  }

  @Test
  void reservesForAClaimedLengthOnlyWhatArrives() throws Exception {
    // A sender that is not authenticated yet claims 1 GiB and sends 200 KiB.
    byte[] sent = new byte[200 * 1024];
    new java.util.Random(7).nextBytes(sent);
    CountingStream in = new CountingStream(sent);

    assertThatThrownBy(() -> MessageFraming.readBody(in, 1L << 30, 1L << 30)).isInstanceOf(java.io.EOFException.class);
    assertThat(in.largestRequest).isLessThanOrEqualTo(256 * 1024);
  }

  @Test
  void growsTheBodyToItsDeclaredLengthWhenTheBytesArrive() throws Exception {
    byte[] sent = new byte[300 * 1024 + 17];
    new java.util.Random(8).nextBytes(sent);

    assertThat(MessageFraming.readBody(new ByteArrayInputStream(sent), sent.length, sent.length)).isEqualTo(sent);
  }

  @Test
  void reportsAParseErrorAsSuch() {
    byte[] body = {0x03, 0x01, 0x02, 0x03};

    assertThatThrownBy(() -> MessageFraming.decode(body)).isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void refusesAMessageLongerThanWhatIsLeftOfTheBody() throws Exception {
    byte[] whole = MessageFraming.encode(List.of(app(1), app(2)), 0, 2, framed(app(1), app(2)));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);

    assertThatThrownBy(() -> MessageFraming.decode(cut))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("message 1 claims");
  }

  @Test
  void refusesAMessageThatEndsInsideAnotherByAnEndGroupTag() {
    // Length 2: field 1 varint 8 (type), then an end-group tag of field 2 before the length is used.
    byte[] body = {0x03, 0x08, 0x08, 0x14};

    assertThatThrownBy(() -> MessageFraming.decode(body)).isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void decodesEmptyBodyAsNoMessage() throws Exception {
    assertThat(MessageFraming.decode(new byte[0])).isEmpty();
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
    int largestRequest;

    CountingStream(byte[] b) {
      super(b);
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      largestRequest = Math.max(largestRequest, len);
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
