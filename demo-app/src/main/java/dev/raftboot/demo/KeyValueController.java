package dev.raftboot.demo;

import dev.raftboot.spring.api.IdempotencyKey;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.api.RaftOperations;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReadTimeoutException;
import dev.raftboot.spring.api.ReplicatedLog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API of the demo. Writes go through the replicated {@link KeyValueStore}; reads take a
 * {@code consistency} parameter: {@code linearizable} (default), {@code lease} or {@code local}.
 * Bad input is answered by {@link ApiErrors}; no leader and timeouts by raftboot's problem details
 * (503 "not applied" or "not read", 504 "outcome unknown").
 */
@RestController
class KeyValueController {

  static final int MAX_KEY_LENGTH = 256;
  static final int MAX_VALUE_LENGTH = 64 * 1024;

  private final KeyValueStore store;
  private final ReplicatedLog log;
  private final RaftOperations raft;
  private final Duration readTimeout;

  KeyValueController(
      KeyValueStore store,
      ReplicatedLog log,
      RaftOperations raft,
      @Value("${raft.command-timeout:5s}") Duration readTimeout) {
    this.store = store;
    this.log = log;
    this.raft = raft;
    this.readTimeout = readTimeout;
  }

  record Entry(String key, String value) {}

  record CasRequest(String expected, String value) {}

  /**
   * The header with which a client names one write, so that retrying it after a 504 applies it at
   * most once: the retry gets the first write's answer.
   */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  @PutMapping("/kv/{key}")
  Map<String, Object> put(
      @PathVariable String key,
      @RequestBody String value,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
    checkKey(key);
    checkValue(value);
    String previous;
    try (var scope = keyScope(idempotencyKey)) {
      previous = store.put(key, value);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("key", key);
    body.put("value", value);
    body.put("previous", previous);
    return body;
  }

  @GetMapping("/kv/{key}")
  ResponseEntity<?> get(
      @PathVariable String key, @RequestParam(defaultValue = "linearizable") String consistency) {
    checkKey(key);
    awaitReadable(consistency);
    Optional<String> value = store.get(key);
    if (value.isEmpty()) {
      return ApiErrors.error(HttpStatus.NOT_FOUND, "no such key: " + key);
    }
    return ResponseEntity.ok(new Entry(key, value.get()));
  }

  @GetMapping("/kv")
  Map<String, String> list(
      @RequestParam(defaultValue = "") String prefix,
      @RequestParam(defaultValue = "linearizable") String consistency) {
    awaitReadable(consistency);
    return new LinkedHashMap<>(store.list(prefix));
  }

  @DeleteMapping("/kv/{key}")
  ResponseEntity<?> delete(
      @PathVariable String key,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
    checkKey(key);
    boolean deleted;
    try (var scope = keyScope(idempotencyKey)) {
      deleted = store.delete(key);
    }
    if (!deleted) {
      return ApiErrors.error(HttpStatus.NOT_FOUND, "no such key: " + key);
    }
    return ResponseEntity.ok(Map.of("key", key, "deleted", true));
  }

  /** Sets the key only if it holds {@code expected} (absent or null: only if the key is absent). */
  @PostMapping("/kv/{key}/cas")
  ResponseEntity<?> compareAndSet(
      @PathVariable String key,
      @RequestBody CasRequest request,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
    checkKey(key);
    if (request == null || request.value() == null) {
      throw new IllegalArgumentException("the body needs a \"value\" (and optionally \"expected\")");
    }
    checkValue(request.value());
    boolean set;
    try (var scope = keyScope(idempotencyKey)) {
      set = store.compareAndSet(key, request.expected(), request.value());
    }
    if (!set) {
      return ApiErrors.error(
          HttpStatus.CONFLICT,
          "compare-and-set failed: " + key + " does not hold "
              + (request.expected() == null ? "no value" : "\"" + request.expected() + "\""));
    }
    return ResponseEntity.ok(new Entry(key, request.value()));
  }

  /** The leader as this node knows it, for clients and scripts. */
  @GetMapping("/cluster/leader")
  ResponseEntity<?> leader() {
    return raft.leader()
        .<ResponseEntity<?>>map(l -> ResponseEntity.ok(leaderBody(l)))
        .orElseGet(() -> ApiErrors.error(HttpStatus.SERVICE_UNAVAILABLE, "no leader elected yet"));
  }

  private void awaitReadable(String consistency) {
    ReadConsistency level;
    try {
      level = ReadConsistency.valueOf(consistency.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "consistency must be linearizable, lease or local, not \"" + consistency + "\"");
    }
    try {
      log.readBarrier(level).get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ReadTimeoutException("read not confirmed in time");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReadTimeoutException("interrupted");
    }
  }

  /** The scope of the client's key, or null (try-with-resources skips it) without one. */
  private static IdempotencyKey.Scope keyScope(String idempotencyKey) {
    return idempotencyKey == null ? null : IdempotencyKey.use(idempotencyKey);
  }

  private static void checkKey(String key) {
    if (key.isBlank() || key.length() > MAX_KEY_LENGTH || key.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "a key must be 1 to " + MAX_KEY_LENGTH + " characters without control characters");
    }
  }

  private static void checkValue(String value) {
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("a value may have at most " + MAX_VALUE_LENGTH + " characters");
    }
  }

  private static Map<String, Object> leaderBody(RaftMember leader) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("leaderId", leader.id());
    body.put("leaderUrl", leader.url() == null ? null : leader.url().toString());
    return body;
  }
}
