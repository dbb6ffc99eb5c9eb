package dev.raftboot.sim;

/** A checked property failed; thrown out of the step that broke it. */
public final class SimViolation extends RuntimeException {

  public final Check check;

  public SimViolation(Check check, String message) {
    super(check + ": " + message);
    this.check = check;
  }

  public SimViolation(Check check, String message, Throwable cause) {
    super(check + ": " + message, cause);
    this.check = check;
  }
}
