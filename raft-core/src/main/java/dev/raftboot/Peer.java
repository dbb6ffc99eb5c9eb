package dev.raftboot;

import com.google.protobuf.ByteString;

/** A member of the initial configuration, with optional context carried in its conf change. */
public record Peer(long id, ByteString context) {

  public Peer(long id) {
    this(id, ByteString.EMPTY);
  }
}
