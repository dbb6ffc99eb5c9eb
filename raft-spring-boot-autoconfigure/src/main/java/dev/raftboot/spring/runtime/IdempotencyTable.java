package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.AlreadyAppliedException;
import dev.raftboot.spring.api.IdempotencyKey;
import dev.raftboot.spring.api.InvalidCommandException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The idempotency keys of the commands applied most recently, oldest first: how the apply loop
 * applies a command retried with the same {@link IdempotencyKey} once. Unlike {@link
 * AppliedRequests}, which recognises copies of one proposal, this recognises a new proposal (a new
 * request id, maybe from another node) of a command already applied.
 *
 * <p>Every decision depends on the log and the snapshot alone, so every node skips the same
 * entries: a key is added when its first entry is applied, and right after, the oldest keys are
 * forgotten until no more than that entry's {@link CommandEnvelope#keyWindow()} remain. Snapshots
 * carry the keys (with the index and a fingerprint of the command), not the outcomes: those are
 * this node's own, kept in memory for the keys applied since the node last restored a snapshot.
 * Used on the apply thread only.
 */
final class IdempotencyTable {

  /** What a snapshot keeps of one key. */
  record Remembered(String key, long index, long fingerprint) {}

  /** What the apply loop does with an entry that carries a key. */
  sealed interface Verdict permits Apply, Skip {}

  /** The key is new: apply the command, then {@link #applied} its outcome. */
  record Apply() implements Verdict {}

  /** The entry is not applied; its caller gets {@code result} or {@code error}. */
  record Skip(Object result, Throwable error) implements Verdict {}

  private record Known(long index, long fingerprint, Outcome outcome) {}

  /** One application's outcome as this node saw it. */
  private record Outcome(Object result, Throwable error) {}

  private final LinkedHashMap<String, Known> keys = new LinkedHashMap<>();

  /** Decides about the entry at {@code index}, which holds {@code env}, a command with a key. */
  Verdict check(long index, CommandEnvelope env) {
    Known known = keys.get(env.idempotencyKey());
    if (known == null) {
      return new Apply();
    }
    if (known.fingerprint() != fingerprint(env.payload())) {
      return new Skip(
          null,
          new InvalidCommandException(
              "idempotency key '" + env.idempotencyKey() + "' was used at log index "
                  + known.index() + " for another command; this one (log index " + index
                  + ") was not applied"));
    }
    if (known.outcome() == null) {
      return new Skip(null, new AlreadyAppliedException(env.idempotencyKey(), known.index()));
    }
    return new Skip(known.outcome().result(), known.outcome().error());
  }

  /**
   * Remembers that the entry at {@code index}, holding {@code env}, was applied with this outcome,
   * then forgets the oldest keys beyond the entry's window.
   */
  void applied(long index, CommandEnvelope env, Object result, Throwable error) {
    keys.put(
        env.idempotencyKey(),
        new Known(index, fingerprint(env.payload()), new Outcome(result, error)));
    long limit = Math.max(1, Integer.toUnsignedLong(env.keyWindow()));
    for (Iterator<Known> oldest = keys.values().iterator(); keys.size() > limit; ) {
      oldest.next();
      oldest.remove();
    }
  }

  int size() {
    return keys.size();
  }

  /** The keys for a snapshot, oldest first. */
  List<Remembered> copy() {
    List<Remembered> copy = new ArrayList<>(keys.size());
    keys.forEach((key, k) -> copy.add(new Remembered(key, k.index(), k.fingerprint())));
    return copy;
  }

  /** Replaces what is remembered with what a snapshot carried; no outcome is known for them. */
  void restore(List<Remembered> fromSnapshot) {
    keys.clear();
    for (Remembered r : fromSnapshot) {
      keys.put(r.key(), new Known(r.index(), r.fingerprint(), null));
    }
  }

  /**
   * The first 8 bytes of the command's SHA-256: a retry carries the same bytes, and a different
   * command under the same key is told apart with near certainty. Deterministic on every node.
   */
  static long fingerprint(ByteString payload) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(payload.asReadOnlyByteBuffer());
      return ByteBuffer.wrap(sha.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
