package dev.raftboot.spring.api;

/**
 * A replicated call could not be turned into bytes or back into a method call.
 *
 * <p>Thrown to the caller when an argument cannot be encoded; nothing was proposed then. Thrown by
 * the {@code ReplicatedCommandApplier} when a committed command names a bean or method this node
 * does not have, uses a format or codec it does not know, or carries arguments it cannot decode.
 * The message depends only on the command and the code, so every node running the same code fails
 * the command the same way and none of them changes state; the caller receives this exception.
 */
public final class InvalidCommandException extends NotAppliedException {

  public InvalidCommandException(String message) {
    super(message);
  }

  public InvalidCommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
