package dev.raftboot.spring.storage;

/**
 * A {@link FileLogStorage} could not read or write its files. A write that throws this changed
 * nothing that the storage reports: its entries and hard state are not part of the log it reads
 * from, and no later write is appended after a part of it.
 */
public class LogFileException extends RuntimeException {

  public LogFileException(String message, Throwable cause) {
    super(message, cause);
  }

  public LogFileException(String message) {
    super(message);
  }
}
