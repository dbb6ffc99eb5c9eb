package dev.raftboot.demo;

import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The demo's error answers, {@code {"error": "..."}}, for bad input and for requests that match no
 * operation (a wrong method or content type, refused before any controller method runs). Failures
 * of the raft node (no leader, timeouts) are answered by raftboot's problem details instead.
 */
@RestControllerAdvice
class ApiErrors {

  static ResponseEntity<Map<String, String>> error(HttpStatus status, String message) {
    return ResponseEntity.status(status).body(Map.of("error", message));
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
    return error(HttpStatus.BAD_REQUEST, e.getMessage());
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<Map<String, String>> unreadableBody(HttpMessageNotReadableException e) {
    return error(
        HttpStatus.BAD_REQUEST,
        "missing or unreadable request body: PUT /kv/{key} takes the value as its body (text),"
            + " POST /kv/{key}/cas takes {\"expected\": ..., \"value\": ...}");
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<Map<String, String>> wrongMethod(HttpRequestMethodNotSupportedException e) {
    String allowed =
        e.getSupportedHttpMethods() == null
            ? ""
            : e.getSupportedHttpMethods().stream()
                .map(Object::toString)
                .sorted()
                .collect(Collectors.joining(", "));
    return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
        .header(HttpHeaders.ALLOW, allowed)
        .body(
            Map.of(
                "error",
                e.getMethod()
                    + " is not supported here; use "
                    + (allowed.isEmpty() ? "another method" : allowed)));
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<Map<String, String>> wrongContentType(HttpMediaTypeNotSupportedException e) {
    String supported = MediaType.toString(e.getSupportedMediaTypes());
    return error(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "Content-Type "
            + (e.getContentType() == null ? "(none)" : e.getContentType())
            + " is not supported here; send "
            + (supported.isEmpty() ? "another type" : supported));
  }
}
