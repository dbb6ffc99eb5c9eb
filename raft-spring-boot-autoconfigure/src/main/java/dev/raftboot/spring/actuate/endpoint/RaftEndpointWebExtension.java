package dev.raftboot.spring.actuate.endpoint;

import dev.raftboot.spring.actuate.endpoint.RaftEndpoint.LeaderDescriptor;
import dev.raftboot.spring.actuate.endpoint.RaftEndpoint.Outcome;
import dev.raftboot.spring.actuate.endpoint.RaftEndpoint.RaftOperationResult;
import dev.raftboot.spring.api.NodeStoppedException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * HTTP statuses for the {@link RaftEndpoint}: 400 for an invalid request, 503 while the node is not
 * running or knows no leader, 504 when an operation was not confirmed in time (its outcome is
 * unknown), 500 for other failures. Write and delete operations answer with a {@link
 * RaftOperationResult} body in every case, so that the reason is shown even where Spring Boot's
 * error pages hide exception messages ({@code server.error.include-message=never}, the default).
 */
@EndpointWebExtension(endpoint = RaftEndpoint.class)
public class RaftEndpointWebExtension {

  static final int STATUS_GATEWAY_TIMEOUT = 504;

  private final RaftEndpoint delegate;

  public RaftEndpointWebExtension(RaftEndpoint delegate) {
    this.delegate = delegate;
  }

  @ReadOperation
  public WebEndpointResponse<OperationResponseBody> raft() {
    try {
      return new WebEndpointResponse<>(delegate.raft());
    } catch (NodeStoppedException e) {
      return new WebEndpointResponse<>(
          new ErrorDescriptor(String.valueOf(e.getMessage())), WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
    }
  }

  /** 200 with the leader, 503 (same body, null id) while none is known, 404 for other resources. */
  @ReadOperation
  public WebEndpointResponse<LeaderDescriptor> leader(@Selector String resource) {
    LeaderDescriptor leader = delegate.leader(resource);
    if (leader == null) {
      return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
    }
    return leader.id() == null
        ? new WebEndpointResponse<>(leader, WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE)
        : new WebEndpointResponse<>(leader);
  }

  @WriteOperation
  public WebEndpointResponse<RaftOperationResult> change(
      @Selector String resource, @Nullable Long id, @Nullable String url) {
    try {
      return respond(delegate.change(resource, id, url));
    } catch (InvalidEndpointRequestException e) {
      return rejected(resource, e);
    }
  }

  @DeleteOperation
  public WebEndpointResponse<RaftOperationResult> remove(@Selector String resource, @Selector long id) {
    try {
      return respond(delegate.remove(resource, id));
    } catch (InvalidEndpointRequestException e) {
      return rejected(resource, e);
    }
  }

  private static WebEndpointResponse<RaftOperationResult> rejected(
      String resource, InvalidEndpointRequestException e) {
    return respond(
        new RaftOperationResult(
            RaftEndpoint.operationName(resource), Outcome.INVALID, String.valueOf(e.getMessage()), null, null));
  }

  static WebEndpointResponse<RaftOperationResult> respond(RaftOperationResult result) {
    int status =
        switch (result.outcome()) {
          case DONE -> WebEndpointResponse.STATUS_OK;
          case INVALID -> WebEndpointResponse.STATUS_BAD_REQUEST;
          case NO_LEADER, NOT_RUNNING -> WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE;
          case TIMEOUT -> STATUS_GATEWAY_TIMEOUT;
          case FAILED -> WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR;
        };
    return new WebEndpointResponse<>(result, status);
  }

  /** The body of a read that could not be answered. */
  public record ErrorDescriptor(String message) implements OperationResponseBody {}
}
