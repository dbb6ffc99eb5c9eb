package dev.raftboot.spring.web;

import dev.raftboot.spring.api.AlreadyAppliedException;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.NodeStoppedException;
import dev.raftboot.spring.api.OutcomeUnknownException;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.api.ReadTimeoutException;
import dev.raftboot.spring.api.ReplicationException;
import dev.raftboot.spring.runtime.RaftServer;
import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers the replication failures of a controller as RFC 9457 problem details, so that an HTTP
 * caller learns whether to retry. Each answer carries the property {@code outcome} and, when this
 * node knows a leader, {@code leaderId} and {@code leaderUrl}.
 *
 * <ul>
 *   <li>{@link NoLeaderException} and {@link NodeStoppedException}: 503 with {@code Retry-After},
 *       outcome {@code not-applied}. No leader took the command, or the node stopped before the
 *       command left it, so it will never be applied: safe to retry.
 *   <li>{@link ReadTimeoutException}: 503 with {@code Retry-After}, outcome {@code not-read}. The
 *       read was not served; a read changes nothing, so it is safe to retry.
 *   <li>every {@link OutcomeUnknownException} (a timeout, an interrupted caller, a node that
 *       stopped after the command had left it): 504, outcome {@code unknown}. The command may have
 *       been applied, or may still be: retry only if it is idempotent (or carries an idempotency
 *       key), or read the state first.
 *   <li>{@link AlreadyAppliedException}: 409, outcome {@code applied}. A retry under an
 *       idempotency key whose first application's result this node no longer knows: the command
 *       was applied once, the retry was not; read the state instead of retrying.
 * </ul>
 *
 * {@code InvalidCommandException} (not applied, but a programming or configuration error that a
 * retry does not cure) and other exceptions are left to the application and to Spring's defaults. Controllers' own
 * {@code @ExceptionHandler} methods and advice of higher precedence take priority.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class RaftExceptionHandler {

  private final RaftServer server;
  private final String retryAfterSeconds;

  /**
   * @param retryAfter how long a caller should wait before retrying a command that was not
   *     applied (sent rounded up to whole seconds, at least 1)
   */
  public RaftExceptionHandler(RaftServer server, Duration retryAfter) {
    this.server = server;
    long seconds = (retryAfter.toMillis() + 999) / 1000;
    this.retryAfterSeconds = Long.toString(Math.max(1, seconds));
  }

  @ExceptionHandler({NoLeaderException.class, NodeStoppedException.class})
  ResponseEntity<ProblemDetail> notApplied(ReplicationException e) {
    return retryLater(
        problem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "Not applied",
            e.getMessage() + ". The command was not applied; it is safe to retry.",
            "not-applied"));
  }

  @ExceptionHandler(ReadTimeoutException.class)
  ResponseEntity<ProblemDetail> notRead(ReadTimeoutException e) {
    return retryLater(
        problem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "Read not confirmed",
            e.getMessage() + ". The read was not served; it is safe to retry.",
            "not-read"));
  }

  @ExceptionHandler(OutcomeUnknownException.class)
  ResponseEntity<ProblemDetail> outcomeUnknown(OutcomeUnknownException e) {
    ProblemDetail problem =
        problem(
            HttpStatus.GATEWAY_TIMEOUT,
            "Outcome unknown",
            e.getMessage()
                + ". The request may or may not have taken effect: retry it only if it is"
                + " idempotent, or read the state first.",
            "unknown");
    return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(problem);
  }

  @ExceptionHandler(AlreadyAppliedException.class)
  ResponseEntity<ProblemDetail> alreadyApplied(AlreadyAppliedException e) {
    ProblemDetail problem =
        problem(
            HttpStatus.CONFLICT,
            "Applied before",
            e.getMessage() + ". Do not retry: read the state to see the effect.",
            "applied");
    problem.setProperty("firstIndex", e.firstIndex());
    return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
  }

  private ProblemDetail problem(HttpStatus status, String title, String detail, String outcome) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(title);
    problem.setProperty("outcome", outcome);
    long leader = server.metrics().leaderId();
    if (leader != 0) {
      problem.setProperty("leaderId", leader);
      server.members().stream()
          .filter(m -> m.id() == leader && m.url() != null)
          .map(RaftMember::url)
          .findFirst()
          .ifPresent(url -> problem.setProperty("leaderUrl", url.toString()));
    }
    return problem;
  }

  private ResponseEntity<ProblemDetail> retryLater(ProblemDetail problem) {
    return ResponseEntity.status(problem.getStatus())
        .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds)
        .body(problem);
  }
}
