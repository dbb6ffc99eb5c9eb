package dev.raftboot.bench.server;

import dev.raftboot.spring.command.ReplicatedCommand;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The benchmark's state machine, the same as the peer harness's: a map from 16-character keys to
 * 100-byte values. {@link #put} and {@link #putAndWait} are the same replicated command, the first
 * returning a future that completes on the calling node once the put is committed and applied
 * there, the second blocking its caller until then.
 */
@Component
public class BenchKvStore {

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();
  private final AtomicLong applied = new AtomicLong();

  @ReplicatedCommand
  public CompletableFuture<Void> put(String key, byte[] value) {
    map.put(key, value);
    applied.incrementAndGet();
    return DONE;
  }

  /** {@link #put} for a caller that waits (a request thread per outstanding put). */
  @ReplicatedCommand
  public void putAndWait(String key, byte[] value) {
    map.put(key, value);
    applied.incrementAndGet();
  }

  public int size() {
    return map.size();
  }

  public long applied() {
    return applied.get();
  }
}
