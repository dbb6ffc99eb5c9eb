package dev.raftboot.spring.lock;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedQuery;
import dev.raftboot.spring.lock.LockResult.Status;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The replicated lock and lease state: which owner holds which lock, under which fencing token.
 * Every node applies the same commands in log order, so every node holds the same table.
 *
 * <p>The table knows no time. A lease ends only by a command in the log: {@link #release} by its
 * owner, or {@link #expire} proposed by the leader's {@link LeaseExpirer} once the lease's time to
 * live has passed on its monotonic clock. An expiry names the grant or renewal it expires ({@link
 * LockGrant#renewedAt()}), so one decided before a renewal that the log orders first is ignored.
 *
 * <p>Fencing tokens are the table's revision, which grows with every grant and renewal: a grant's
 * token is larger than that of every earlier grant of any lock, on every node, across snapshots.
 *
 * <p>Applications use {@link RaftLocks} rather than these commands. The command methods return
 * completed futures so that callers can bound their own wait; the reads have no read barrier
 * unless stated.
 */
public class LockTable implements StateSnapshotter {

  /** The longest lock name and owner accepted. */
  public static final int MAX_NAME_LENGTH = 256;

  private static final int FORMAT_VERSION = 1;

  private final Map<String, LockGrant> grants = new ConcurrentHashMap<>();
  private final List<LockTableListener> listeners = new CopyOnWriteArrayList<>();
  private volatile long revision;

  /** Adds a node-local observer of applied changes. */
  public void addListener(LockTableListener listener) {
    listeners.add(listener);
  }

  /**
   * Grants {@code name} to {@code owner} for {@code ttlMillis} if it is free. If {@code owner}
   * holds it already (a retried acquisition), the lease is renewed and keeps its token.
   *
   * @return {@code GRANTED} with the caller's lease, or {@code HELD} with the holder's
   * @throws IllegalArgumentException for an empty or too long name or owner, or a TTL that is not
   *     positive (on every node alike)
   */
  @ReplicatedCommand
  public CompletableFuture<LockResult> acquire(String name, String owner, long ttlMillis) {
    check(name, owner, ttlMillis);
    LockGrant held = grants.get(name);
    if (held != null && !held.owner().equals(owner)) {
      return done(Status.HELD, held);
    }
    long rev = ++revision;
    LockGrant grant = new LockGrant(name, owner, held != null ? held.token() : rev, rev, ttlMillis);
    grants.put(name, grant);
    listeners.forEach(l -> l.leaseStarted(grant));
    return done(Status.GRANTED, grant);
  }

  /**
   * Renews {@code owner}'s lease of {@code name} for {@code ttlMillis} from now.
   *
   * @return {@code RENEWED} with the lease, or {@code NOT_HELD} when {@code owner} no longer holds
   *     the lock
   */
  @ReplicatedCommand
  public CompletableFuture<LockResult> renew(String name, String owner, long ttlMillis) {
    check(name, owner, ttlMillis);
    LockGrant held = grants.get(name);
    if (held == null || !held.owner().equals(owner)) {
      return done(Status.NOT_HELD, null);
    }
    LockGrant grant = new LockGrant(name, owner, held.token(), ++revision, ttlMillis);
    grants.put(name, grant);
    listeners.forEach(l -> l.leaseStarted(grant));
    return done(Status.RENEWED, grant);
  }

  /** Frees {@code name} if {@code owner} holds it: {@code RELEASED}, else {@code NOT_HELD}. */
  @ReplicatedCommand
  public CompletableFuture<LockResult> release(String name, String owner) {
    check(name, owner, 1);
    LockGrant held = grants.get(name);
    if (held == null || !held.owner().equals(owner)) {
      return done(Status.NOT_HELD, null);
    }
    free(name);
    return done(Status.RELEASED, held);
  }

  /**
   * Frees {@code name} if its lease still is the one granted or renewed at revision {@code
   * renewedAt}: {@code EXPIRED}, else {@code NOT_HELD}. Proposed by the {@link LeaseExpirer}.
   */
  @ReplicatedCommand
  public CompletableFuture<LockResult> expire(String name, long renewedAt) {
    LockGrant held = grants.get(name);
    if (held == null || held.renewedAt() != renewedAt) {
      return done(Status.NOT_HELD, null);
    }
    free(name);
    return done(Status.EXPIRED, held);
  }

  /** The holder of {@code name} after a linearizable read barrier, or null if it is free. */
  @ReplicatedQuery
  public @Nullable LockGrant holder(String name) {
    return grants.get(name);
  }

  /** The holder of {@code name} in this node's table as applied so far (no read barrier). */
  public Optional<LockGrant> localGrant(String name) {
    return Optional.ofNullable(grants.get(name));
  }

  /** Every live lease in this node's table as applied so far (no read barrier), by name. */
  public Map<String, LockGrant> localGrants() {
    return new TreeMap<>(grants);
  }

  /** This node's revision as applied so far: the largest fencing token or renewal handed out. */
  public long revision() {
    return revision;
  }

  private void free(String name) {
    grants.remove(name);
    listeners.forEach(l -> l.lockFreed(name));
  }

  private static CompletableFuture<LockResult> done(Status status, @Nullable LockGrant grant) {
    return CompletableFuture.completedFuture(LockResult.of(status, grant));
  }

  static void check(String name, String owner, long ttlMillis) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "a lock name must be 1 to " + MAX_NAME_LENGTH + " characters, not " + describe(name));
    }
    if (owner == null || owner.isEmpty() || owner.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "a lock owner must be 1 to " + MAX_NAME_LENGTH + " characters, not " + describe(owner));
    }
    if (ttlMillis <= 0) {
      throw new IllegalArgumentException(
          "a lock's time to live must be at least 1 ms, not " + ttlMillis + " ms");
    }
  }

  private static String describe(@Nullable String s) {
    return s == null ? "null" : s.length() + " characters";
  }

  // --- snapshots -------------------------------------------------------------------------------------

  @Override
  public ByteString snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      Map<String, LockGrant> copy = new TreeMap<>(grants);
      out.writeInt(FORMAT_VERSION);
      out.writeLong(revision);
      out.writeInt(copy.size());
      for (LockGrant g : copy.values()) {
        out.writeUTF(g.name());
        out.writeUTF(g.owner());
        out.writeLong(g.token());
        out.writeLong(g.renewedAt());
        out.writeLong(g.ttlMillis());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(bytes.toByteArray());
  }

  /** Stable whatever the bean is called. */
  @Override
  public String snapshotPartName() {
    return "raftboot.lock-table";
  }

  /** A snapshot taken before the lock table existed holds no locks: the table starts empty. */
  @Override
  public boolean acceptsMissingPart() {
    return true;
  }

  @Override
  public void restore(ByteString data) {
    Map<String, LockGrant> restored = new TreeMap<>();
    long rev = 0;
    if (!data.isEmpty()) {
      rev = read(data, restored);
    }
    grants.clear();
    grants.putAll(restored);
    revision = rev;
    Collection<LockGrant> live = List.copyOf(new ArrayList<>(restored.values()));
    listeners.forEach(l -> l.restored(live));
  }

  private static long read(ByteString data, Map<String, LockGrant> restored) {
    long rev;
    try (DataInputStream in = new DataInputStream(data.newInput())) {
      int version = in.readInt();
      if (version != FORMAT_VERSION) {
        throw new IllegalStateException(
            "lock table snapshot format " + version + " is not supported (this node reads "
                + FORMAT_VERSION + ")");
      }
      rev = in.readLong();
      for (int n = in.readInt(); n > 0; n--) {
        LockGrant g =
            new LockGrant(in.readUTF(), in.readUTF(), in.readLong(), in.readLong(), in.readLong());
        restored.put(g.name(), g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt lock table snapshot", e);
    }
    return rev;
  }
}
