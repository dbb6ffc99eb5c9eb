package dev.raftboot.quorum;

/** Gives, for a voter, the highest log index it is known to have persisted. */
@FunctionalInterface
public interface AckedIndexer {

  /** Returned by {@link #ackedIndex} for a voter whose acked index is not known. */
  long NOT_FOUND = Long.MIN_VALUE;

  /** The acked index of {@code voterId}, or {@link #NOT_FOUND}. */
  long ackedIndex(long voterId);
}
