package dev.raftboot;

/** The (term, index) of a log entry; two entries with the same ID hold the same data. */
record EntryId(long term, long index) {}
