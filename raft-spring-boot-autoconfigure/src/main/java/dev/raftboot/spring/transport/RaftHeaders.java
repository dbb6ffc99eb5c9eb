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

  /**
   * HMAC of the request under the cluster secret ({@link PeerAuthenticator}), when one is
   * configured; on an identity answer, the HMAC over the challenge.
   */
  public static final String SIGNATURE = "Raft-Signature";

  /**
   * The header older versions sent the secret itself in. Refused with a message that says to
   * upgrade every node; never sent.
   */
  public static final String LEGACY_TOKEN = "Raft-Token";

  /** On an identity answer: the answering node's id (unsigned decimal). */
  public static final String NODE_ID = "Raft-Node-Id";

  /** Query parameter of the identity endpoint: the prober's random challenge. */
  public static final String CHALLENGE = "challenge";

  /** Content type of both endpoints: length-delimited protobuf {@code raftpb.Message}s. */
  public static final String CONTENT_TYPE = "application/x-protobuf";

  /** Batch endpoint, after the path prefix. */
  public static final String MESSAGES_PATH = "/messages";

  /** Snapshot endpoint, after the path prefix. */
  public static final String SNAPSHOT_PATH = "/snapshot";

  /** Identity endpoint ({@code GET}), after the path prefix. */
  public static final String IDENTITY_PATH = "/identity";

  /** What a {@link #SIGNATURE} of a batch covers besides ids and body: method and endpoint. */
  public static final String MESSAGES_OPERATION = "POST messages";

  /** What a {@link #SIGNATURE} of a snapshot covers besides ids and body. */
  public static final String SNAPSHOT_OPERATION = "POST snapshot";

  /** What a {@link #SIGNATURE} of an identity probe covers; its "body" is the challenge. */
  public static final String IDENTITY_OPERATION = "GET identity";

  private RaftHeaders() {}
}
