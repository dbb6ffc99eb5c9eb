package dev.raftboot.spring.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling until a condition holds, failing with a description of what was awaited. */
public final class Waits {

  private static final long POLL_MILLIS = 5;

  private Waits() {}

  /**
   * Returns once {@code condition} holds; throws {@link AssertionError} with {@code failure}'s text
   * if it does not within {@code timeout}. A condition that throws is treated as not holding yet.
   */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> failure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        AssertionError error = new AssertionError("after " + timeout.toMillis() + " ms: " + failure.get());
        if (last != null) {
          error.addSuppressed(last);
        }
        throw error;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting: " + failure.get(), e);
      }
    }
  }
}
