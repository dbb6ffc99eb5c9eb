package dev.raftboot.spring.storage;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The lock a storage's readers and its one writer share: readers run together, and a change made
 * under {@link #write} is seen by a reader whole or not at all.
 */
final class ReadWriteGuard {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  <T> T read(Supplier<T> read) {
    lock.readLock().lock();
    try {
      return read.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  void write(Runnable update) {
    lock.writeLock().lock();
    try {
      update.run();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
