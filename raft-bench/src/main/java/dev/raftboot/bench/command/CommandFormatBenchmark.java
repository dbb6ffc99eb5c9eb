package dev.raftboot.bench.command;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.command.JsonCommandCodec;
import dev.raftboot.spring.command.ReplicatedCallDispatcher;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedCommandApplier;
import dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor;
import dev.raftboot.spring.command.ReplicatedMethodRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cluster benchmark's put call ({@code put(String key, byte[] value)}, a 16-character key and
 * a 100-byte value) in command format 1 and 2: {@code encode} is the caller's side (the proxy,
 * the dispatcher and the encoding of the call, against a log that only keeps the entry), {@code
 * decode} the applying side (decoding the entry and invoking the method on the bean), {@code
 * roundTrip} both. The entry's size in bytes is printed at setup, as {@code entry bytes: N}
 * (without the runtime's envelope of request id and origin, the same for both formats).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class CommandFormatBenchmark {

  @Param({"1", "2"})
  public int format;

  private final CapturingLog log = new CapturingLog();
  private Store proxy;
  private ReplicatedCommandApplier applier;
  private ByteString entry;
  private final String key = "key-000000000042";
  private final byte[] value = new byte[100];

  @Setup(Level.Trial)
  public void setUp() {
    Arrays.fill(value, (byte) 'v');
    ReplicatedMethodRegistry registry = new ReplicatedMethodRegistry();
    JsonCommandCodec codec = new JsonCommandCodec();
    ReplicatedCallDispatcher dispatcher =
        new ReplicatedCallDispatcher(() -> log, codec, Duration.ofSeconds(5), Runnable::run, format);
    proxy =
        (Store)
            new ReplicatedMethodBeanPostProcessor(registry, () -> dispatcher)
                .postProcessAfterInitialization(new Store(), "benchKvStore");
    applier = new ReplicatedCommandApplier(registry, codec);
    proxy.put(key, value);
    entry = log.last;
    System.out.println("format " + format + " entry bytes: " + entry.size());
  }

  @Benchmark
  public ByteString encode() {
    proxy.put(key, value);
    return log.last;
  }

  @Benchmark
  public Object decode() throws Exception {
    return applier.apply(entry);
  }

  @Benchmark
  public Object roundTrip() throws Exception {
    proxy.put(key, value);
    return applier.apply(log.last);
  }

  /**
   * The method of the cluster benchmark's {@code BenchKvStore}, under its bean name. Not that
   * class itself: benchmarks.jar leaves out the server classes, which need Spring Boot.
   */
  public static class Store {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private final ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();

    @ReplicatedCommand
    public CompletableFuture<Void> put(String key, byte[] value) {
      map.put(key, value);
      return DONE;
    }
  }

  /** A log that keeps the last entry and completes at once, so only the encoding is measured. */
  static final class CapturingLog implements ReplicatedLog {
    private static final CompletableFuture<Object> APPLIED = CompletableFuture.completedFuture(null);
    ByteString last;

    @Override
    public CompletableFuture<Object> submit(ByteString command) {
      last = command;
      return APPLIED;
    }

    @Override
    public CompletableFuture<Object> submit(ByteString command, Duration timeout) {
      return submit(command);
    }

    @Override
    public CompletableFuture<Void> readBarrier(ReadConsistency consistency) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isApplyThread() {
      return false;
    }
  }
}
