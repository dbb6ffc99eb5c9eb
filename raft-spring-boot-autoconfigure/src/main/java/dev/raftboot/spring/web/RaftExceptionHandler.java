package dev.raftboot.spring.web;

import dev.raftboot.spring.command.ReplicatedCallInterruptedException;
import dev.raftboot.spring.runtime.CommandTimeoutException;
import dev.raftboot.spring.runtime.NoLeaderException;
import dev.raftboot.spring.runtime.NodeStoppedException;
import dev.raftboot.spring.runtime.RaftMember;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.runtime.ReadTimeoutException;
import dev.raftboot.spring.runtime.ReplicationException;
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
 *   <li>{@link NoLeaderException}: 503 with {@code Retry-After}, outcome {@code not-applied}. No
 *       leader took the command, so it will never be applied: safe to retry.
 *   <li>{@link ReadTimeoutException}: 503 with {@code Retry-After}, outcome {@code not-read}. The
 *       read was not served; a read changes nothing, so it is safe to retry.
 *   <li>{@link CommandTimeoutException}, {@link NodeStoppedException} and {@link
 *       ReplicatedCallInterruptedException}: 504, outcome {@code unknown}. The command may have
 *       been applied, or may still be: retry only if it is idempotent, or read the state first. A
 *       stopping node fails the commands it has in flight this way, and some of them may have been
 *       committed before it stopped.
 * </ul>
 *
 * Other exceptions are left to the application and to Spring's defaults. Controllers' own
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

  @ExceptionHandler(NoLeaderException.class)
  ResponseEntity<ProblemDetail> notApplied(NoLeaderException e) {
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

  @ExceptionHandler({
    CommandTimeoutException.class,
    NodeStoppedException.class,
    ReplicatedCallInterruptedException.class
  })
  ResponseEntity<ProblemDetail> outcomeUnknown(ReplicationException e) {
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
