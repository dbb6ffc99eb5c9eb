package dev.raftboot.spring.transport;

/**
 * Names on the wire between peers: request headers, endpoint paths and the body's content type.
 * See {@code src-docs/transport-and-security.md} for the protocol.
 */
public final class RaftHeaders {

  /** The cluster id; requests for another cluster are refused. */
  public static final String CLUSTER_ID = "Raft-Cluster-Id";

  /** The sending node's id (unsigned decimal); must be a member and match every message's from. */
  public static final String FROM = "Raft-From";

  /** The receiving node's id (unsigned decimal); must be the node that serves the request. */
  public static final String TO = "Raft-To";

  /** The shared peer token, when one is configured. */
  public static final String TOKEN = "Raft-Token";

  /** Content type of both endpoints: length-delimited protobuf {@code raftpb.Message}s. */
  public static final String CONTENT_TYPE = "application/x-protobuf";

  /** Batch endpoint, after the path prefix. */
  public static final String MESSAGES_PATH = "/messages";

  /** Snapshot endpoint, after the path prefix. */
  public static final String SNAPSHOT_PATH = "/snapshot";

  private RaftHeaders() {}
}
