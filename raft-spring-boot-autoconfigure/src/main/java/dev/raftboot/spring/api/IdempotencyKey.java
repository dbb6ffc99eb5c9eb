package dev.raftboot.spring.api;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A key the client chooses for one command, so that retrying the command after an {@link
 * OutcomeUnknownException} (on this node or any other) applies it at most once.
 *
 * <pre>{@code
 * try (var scope = IdempotencyKey.use("client-7:req-42")) {
 *   accounts.deposit("alice", 10);   // a @ReplicatedCommand method
 * }
 * }</pre>
 *
 * Every command submitted on the calling thread while the scope is open ({@link
 * ReplicatedLog#submit}, which {@code @ReplicatedCommand} methods call) carries the key in its log
 * entry. The replicated state remembers, for each key, the log index of the first entry that
 * carried it and a fingerprint of its command; every node decides alike, in log order:
 *
 * <ul>
 *   <li>The first entry with a key is applied; the applying nodes remember its outcome (the
 *       method's return value or its exception) in memory.
 *   <li>A later entry with the same key and the same command bytes (a retry, even one that reached
 *       the log while the first was still in flight) is <em>not applied</em>. Its caller gets the
 *       first application's outcome, or, when the node it waits on no longer has that outcome (it
 *       restored a snapshot taken after the first application, or restarted from one), an {@link
 *       AlreadyAppliedException}.
 *   <li>A later entry with the same key and a different command is not applied either; its caller
 *       gets an {@link InvalidCommandException}: a key names one command.
 * </ul>
 *
 * <h2>The window</h2>
 *
 * The keys are remembered in log order, at most {@code raft.idempotency-keys} of them (10,000 by
 * default): the key of the oldest first application is forgotten when a newer key would exceed the
 * limit, and a command whose key was forgotten is applied again. Forgetting depends on the log
 * alone (each keyed entry carries its proposer's limit), never on a clock, so every node forgets the
 * same keys at the same entry, and snapshots carry the keys, so the window survives leader
 * changes, restarts and nodes that catch up from a snapshot. Retry within the window: a client that
 * retries for a long time should choose the limit from the number of keyed commands the cluster
 * applies in that time.
 *
 * <p>A scope is bound to the thread that opened it; nested scopes replace the key until they close.
 * A key is at most {@value #MAX_LENGTH} bytes of UTF-8 and must not be blank. Commands submitted
 * without a key behave as before.
 */
public final class IdempotencyKey {

  /** The longest key, in bytes of UTF-8. */
  public static final int MAX_LENGTH = 256;

  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private IdempotencyKey() {}

  /**
   * Opens a scope in which the calling thread's commands carry {@code key}; close it (try with
   * resources) on the same thread.
   *
   * @throws IllegalArgumentException when the key is null, blank or longer than {@value
   *     #MAX_LENGTH} bytes
   */
  public static Scope use(String key) {
    check(key);
    Scope scope = new Scope(CURRENT.get());
    CURRENT.set(key);
    return scope;
  }

  /** The key of the calling thread's innermost open scope. */
  public static Optional<String> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /**
   * Fails with {@link IllegalArgumentException} when {@code key} cannot be an idempotency key;
   * for code that takes keys from outside (an HTTP header) and wants to check them first.
   */
  public static String check(String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("an idempotency key must not be blank");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "an idempotency key may have at most " + MAX_LENGTH + " bytes of UTF-8");
    }
    return key;
  }

  /** An open key; closing it restores the key that was current before. */
  public static final class Scope implements AutoCloseable {

    private final String previous;

    private Scope(String previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
