package dev.raftboot;

import com.google.protobuf.ByteString;

/**
 * The answer to a {@code readIndex} request: once this node has applied up to {@code index}, a
 * read made for {@code requestCtx} is linearizable.
 */
public record ReadState(long index, ByteString requestCtx) {}
