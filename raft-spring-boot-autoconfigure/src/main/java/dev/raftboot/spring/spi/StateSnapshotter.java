package dev.raftboot.spring.spi;

import com.google.protobuf.ByteString;

/**
 * Writes and restores the application's replicated state, so that the log can be compacted and
 * lagging or new nodes can be caught up with a snapshot.
 *
 * <p>Both methods run on the apply thread, so no command is applied concurrently: {@link
 * #snapshot()} sees the state exactly as of the last applied entry, and after {@link #restore} the
 * next applied command is the one following the snapshot.
 */
public interface StateSnapshotter {

  /** The complete replicated state, serialized. */
  ByteString snapshot();

  /** Replaces the complete replicated state with {@code data} from {@link #snapshot()}. */
  void restore(ByteString data);
}
