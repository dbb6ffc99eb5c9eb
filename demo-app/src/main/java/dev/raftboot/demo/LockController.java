package dev.raftboot.demo;

import dev.raftboot.spring.lock.LockGrant;
import dev.raftboot.spring.lock.LockLease;
import dev.raftboot.spring.lock.LockTable;
import dev.raftboot.spring.lock.RaftLocks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Locks over HTTP, for trying them out with curl: acquire on one node, see the holder and its
 * fencing token from any node, release on the node that acquired it. Also who ran the report job.
 */
@RestController
class LockController {

  static final Duration MAX_TTL = Duration.ofHours(1);

  private final RaftLocks locks;
  private final LockTable table;
  private final ReportLedger ledger;
  /** The leases acquired through this node, by owner, until released. */
  private final Map<String, LockLease> leases = new ConcurrentHashMap<>();

  LockController(RaftLocks locks, LockTable table, ReportLedger ledger) {
    this.locks = locks;
    this.table = table;
    this.ledger = ledger;
  }

  /** Acquires {@code name} for {@code ttl} (default 30s), waiting up to {@code wait} (default 0). */
  @PostMapping("/locks/{name}")
  ResponseEntity<?> acquire(
      @PathVariable String name,
      @RequestParam(defaultValue = "30s") String ttl,
      @RequestParam(defaultValue = "0s") String wait)
      throws InterruptedException {
    Duration timeToLive = duration("ttl", ttl);
    if (timeToLive.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl may be at most " + MAX_TTL.toMinutes() + "m, not " + ttl);
    }
    Optional<LockLease> lease = locks.tryAcquire(name, timeToLive, duration("wait", wait));
    if (lease.isEmpty()) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", "lock '" + name + "' is held by someone else (or no leader answered in time)");
      locks.holder(name).ifPresent(g -> body.put("holder", describe(g)));
      return ResponseEntity.status(HttpStatus.CONFLICT).body(body);
    }
    leases.put(lease.get().owner(), lease.get());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("owner", lease.get().owner());
    body.put("token", lease.get().fencingToken());
    body.put("validForMillis", lease.get().remaining().toMillis());
    return ResponseEntity.ok(body);
  }

  /** The holder of {@code name}, after a linearizable read. */
  @GetMapping("/locks/{name}")
  ResponseEntity<?> holder(@PathVariable String name) {
    return locks
        .holder(name)
        .<ResponseEntity<?>>map(g -> ResponseEntity.ok(describe(g)))
        .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "lock '" + name + "' is free")));
  }

  /** Every held lock in this node's table (as applied here, no read barrier). */
  @GetMapping("/locks")
  List<Map<String, Object>> list() {
    return table.localGrants().values().stream().map(LockController::describe).toList();
  }

  /** Releases the lease that {@code owner} acquired through this node. */
  @DeleteMapping("/locks/{name}")
  ResponseEntity<?> release(@PathVariable String name, @RequestParam String owner) {
    LockLease lease = leases.get(owner);
    if (lease == null || !lease.name().equals(name)) {
      return ResponseEntity.status(HttpStatus.NOT_FOUND)
          .body(Map.of("error", "this node acquired no lease of '" + name + "' for owner " + owner
              + " (release it on the node that acquired it)"));
    }
    leases.remove(owner);
    boolean released = lease.release();
    return ResponseEntity.ok(Map.of("name", name, "released", released));
  }

  /** The latest runs of the report job and the nodes that ran them. */
  @GetMapping("/jobs/report")
  List<ReportLedger.Run> reportRuns() {
    return ledger.recent();
  }

  private static Map<String, Object> describe(LockGrant g) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", g.name());
    body.put("owner", g.owner());
    body.put("token", g.token());
    body.put("ttlMillis", g.ttlMillis());
    return body;
  }

  private static Duration duration(String what, String text) {
    Duration d;
    try {
      d = DurationStyle.detectAndParse(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " must be a duration such as 500ms, 30s or 2m, not '" + text + "'");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, not " + text);
    }
    return d;
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<?> badRequest(IllegalArgumentException e) {
    return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
  }
}
