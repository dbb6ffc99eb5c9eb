package dev.raftboot;

import com.google.protobuf.ByteString;
import dev.raftboot.quorum.AckedIndexer;
import dev.raftboot.quorum.JointConfig;
import dev.raftboot.raftpb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's pending ReadIndex requests under {@link ReadOnlyOption#SAFE}.
 *
 * <p>Each request is stamped with a sequence number, and the heartbeat round sent for it carries
 * the newest number as an 8-byte little-endian context. A follower's heartbeat response echoes the
 * number, acknowledging that it still followed this leader after every request stamped up to it.
 * A request is answered once a quorum acknowledged its number. Unlike matching on the request's own
 * context, this cannot confuse two requests with equal contexts, and an old heartbeat response
 * can never confirm a newer request.
 */
final class ReadOnly {

  /** A request waiting for confirmation: the message, the commit index when it came, its stamp. */
  record Pending(Message req, long index, long seq) {}

  final ReadOnlyOption option;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Map<Long, Long> acked = new HashMap<>();
  private long lastSeq;

  ReadOnly(ReadOnlyOption option) {
    this.option = option;
  }

  /** Queues a request read at {@code index} and returns the context for its heartbeat round. */
  ByteString addRequest(long index, Message m, long self) {
    lastSeq++;
    queue.add(new Pending(m, index, lastSeq));
    acked.put(self, lastSeq);
    return lastContext();
  }

  /** The context that heartbeats carry now: empty when no read is pending. */
  ByteString lastContext() {
    if (queue.isEmpty()) {
      return ByteString.EMPTY;
    }
    byte[] b = new byte[8];
    long v = lastSeq;
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return ByteString.copyFrom(b);
  }

  /** Records a heartbeat acknowledgement; contexts that are not ours are ignored. */
  void recvAck(long id, ByteString ctx) {
    if (ctx.size() != 8) {
      return;
    }
    long seq = 0;
    for (int i = 7; i >= 0; i--) {
      seq = (seq << 8) | (ctx.byteAt(i) & 0xff);
    }
    if (seq <= 0 || seq > lastSeq) {
      return;
    }
    acked.merge(id, seq, Math::max);
  }

  /** Removes and returns, in arrival order, every request a quorum of {@code voters} confirmed. */
  List<Pending> advance(JointConfig voters) {
    AckedIndexer bySeq = id -> acked.getOrDefault(id, AckedIndexer.NOT_FOUND);
    long confirmed = voters.committedIndex(bySeq);
    List<Pending> out = new ArrayList<>();
    while (!queue.isEmpty() && Long.compareUnsigned(queue.peek().seq(), confirmed) <= 0) {
      out.add(queue.poll());
    }
    return out;
  }

  int pendingCount() {
    return queue.size();
  }
}
