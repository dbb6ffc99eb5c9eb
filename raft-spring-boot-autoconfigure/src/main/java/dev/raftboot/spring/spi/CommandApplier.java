package dev.raftboot.spring.spi;

import com.google.protobuf.ByteString;

/**
 * Applies committed commands to the application's replicated state.
 *
 * <p>Called on the single apply thread, in log order, on every node, exactly once per committed
 * command per node lifetime (a restarted node re-applies from its last snapshot). It must be
 * deterministic: the same commands in the same order must produce the same state on every node. The
 * return value (or the exception thrown) is handed to the caller that submitted the command, if it
 * was submitted on this node.
 */
@FunctionalInterface
public interface CommandApplier {

  Object apply(ByteString command) throws Exception;
}
