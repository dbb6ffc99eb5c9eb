package dev.raftboot.spring.spi;

import com.google.protobuf.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * Writes and restores a part of the application's replicated state, so that the log can be
 * compacted and lagging or new nodes can be caught up with a snapshot.
 *
 * <p>An application may have any number of snapshotter beans, typically one per replicated
 * service. The auto-configuration combines them (see {@link CompositeStateSnapshotter}): each
 * bean's bytes are stored under its {@linkplain #snapshotPartName() part name}, and every part is
 * handed back to the bean of that name on restore.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Thread.</b> Both methods run on raft's apply thread, the thread that also invokes the
 *       {@code @ReplicatedCommand} methods, so no command is applied concurrently: {@link
 *       #snapshot()} sees the state exactly as of the last applied entry, and after {@link
 *       #restore} the next applied command is the one following the snapshot. Commands wait while
 *       they run, so keep them fast.
 *   <li><b>Determinism.</b> {@link #snapshot()} must capture only replicated state (what the
 *       applied commands produced), never local data such as caches, clocks or the node id: a node
 *       restored from the bytes must behave exactly like one that applied the log.
 *   <li><b>Completeness.</b> {@link #restore} replaces the whole part, discarding what the bean
 *       held before; it is also called on a node whose state is empty.
 *   <li><b>Size.</b> The snapshot of all parts is held in memory while it is taken, stored in one
 *       database row and sent to a lagging node in one request, which {@code
 *       raft.transport.max-snapshot-size} limits.
 *   <li><b>Older snapshots.</b> The bytes outlive the code: a new version of the application must
 *       restore what an older one wrote (version your format). Snapshots written by raftboot 0.1,
 *       which supported a single snapshotter and stored its bytes without a part name, are
 *       restored into the application's only snapshotter; with several snapshotters they are
 *       refused with a message saying how to migrate.
 *   <li><b>Failure.</b> An exception from either method stops the snapshot (or the restore); a
 *       restore that fails leaves the node unable to apply, since its state would be wrong.
 * </ul>
 */
public interface StateSnapshotter {

  /** This part of the replicated state, serialized. */
  ByteString snapshot();

  /** Replaces this part of the replicated state with {@code data} from {@link #snapshot()}. */
  void restore(ByteString data);

  /**
   * Name of this part in the snapshot, or {@code null} (the default) for the bean name. The name
   * must stay the same across versions of the application: override it when the bean name may
   * change (a renamed class changes the name of a {@code @Component}).
   */
  default @Nullable String snapshotPartName() {
    return null;
  }

  /**
   * Whether a snapshot that holds no part of this name restores it with {@code
   * restore(ByteString.EMPTY)} instead of failing. Return true from a snapshotter added to an
   * application that already took snapshots, when its state was empty as of those snapshots (the
   * commands that fill it come later in the log). False by default, so that a renamed part is not
   * mistaken for an empty one.
   */
  default boolean acceptsMissingPart() {
    return false;
  }
}
