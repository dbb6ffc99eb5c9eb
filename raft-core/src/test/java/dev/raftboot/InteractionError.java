package dev.raftboot;

/**
 * An error a harness command reports as its output text (as opposed to harness misuse, which fails
 * the test with an {@link AssertionError}).
 */
final class InteractionError extends RuntimeException {

  InteractionError(String message) {
    super(message, null, false, false);
  }
}
