package dev.raftboot.bench.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The closed-loop workload: C virtual clients, each with exactly one put outstanding; a client
 * sends its next put from the completion of the previous one, i.e. once the server answered that
 * it is committed and applied. A failed put counts as an error and is sent again (a new put) after
 * 5 ms. Only puts that complete inside the measured window count; their latency, from sending to
 * the answer, goes into an HdrHistogram in microseconds.
 */
final class LoadDriver implements AutoCloseable {

  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 100;
  static final int KEY_SPACE = 100_000;

  private static final int WARMUP = 0;
  private static final int MEASURE = 1;
  private static final int STOP = 2;

  private final Supplier<PutChannel> channels;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "put-retry");
            t.setDaemon(true);
            return t;
          });
  private final Recorder latencies = new Recorder(TimeUnit.SECONDS.toMicros(120), 3);
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile int phase = STOP;

  /** @param channels makes the channel of each new virtual client */
  LoadDriver(Supplier<PutChannel> channels) {
    this.channels = channels;
  }

  /** One put, synchronously, retried until it succeeds or {@code timeoutMs} passes. */
  boolean putOnce(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    PutChannel channel = channels.get();
    while (System.nanoTime() < deadline) {
      CompletableFuture<String> done = new CompletableFuture<>();
      channel.put(key(), value(), failure -> done.complete(failure == null ? "" : failure));
      try {
        if (done.get(10, TimeUnit.SECONDS).isEmpty()) {
          return true;
        }
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // try again
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Runs one concurrency level and returns its row. */
  Row run(String library, String setup, int concurrency, int warmupSeconds, int measureSeconds,
      List<Long> serverPids) throws InterruptedException {
    completed.set(0);
    errors.set(0);
    phase = WARMUP;
    outstanding.set(concurrency);
    for (int i = 0; i < concurrency; i++) {
      new VirtualClient(channels.get()).issue();
    }
    Thread.sleep(warmupSeconds * 1000L);
    long errorsBefore = errors.get();
    CpuMeter.Snapshot a = CpuMeter.Snapshot.take(serverPids);
    latencies.getIntervalHistogram(); // discard the warm-up
    completed.set(0);
    phase = MEASURE;
    Thread.sleep(measureSeconds * 1000L);
    phase = STOP;
    CpuMeter.Snapshot b = CpuMeter.Snapshot.take(serverPids);
    Histogram h = latencies.getIntervalHistogram();
    long n = completed.get();
    long errs = errors.get() - errorsBefore;
    // Let the puts in flight finish before the next level starts.
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(10);
    }
    if (outstanding.get() > 0) {
      System.err.println("warning: " + outstanding.get() + " puts still outstanding after 30 s");
    }
    double seconds = (b.nanos() - a.nanos()) / 1e9;
    boolean any = h.getTotalCount() > 0;
    return new Row(
        library,
        setup,
        concurrency,
        seconds,
        n,
        any ? h.getValueAtPercentile(50) / 1000.0 : Double.NaN,
        any ? h.getValueAtPercentile(99) / 1000.0 : Double.NaN,
        any ? h.getValueAtPercentile(99.9) / 1000.0 : Double.NaN,
        any ? h.getMaxValue() / 1000.0 : Double.NaN,
        errs,
        b.servers() - a.servers(),
        b.client() - a.client(),
        b.machineBusy() - a.machineBusy());
  }

  /** What the cluster costs with no requests at all, over {@code seconds}. */
  static Row idle(String library, String setup, int seconds, List<Long> serverPids)
      throws InterruptedException {
    CpuMeter.Snapshot a = CpuMeter.Snapshot.take(serverPids);
    Thread.sleep(seconds * 1000L);
    CpuMeter.Snapshot b = CpuMeter.Snapshot.take(serverPids);
    return new Row(
        library, setup, 0, (b.nanos() - a.nanos()) / 1e9, 0, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, 0, b.servers() - a.servers(), b.client() - a.client(),
        b.machineBusy() - a.machineBusy());
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }

  /** A 16-byte key {@code k} + 15 digits, uniform over {@value #KEY_SPACE} keys. */
  static byte[] key() {
    byte[] k = new byte[KEY_BYTES];
    k[0] = 'k';
    int n = ThreadLocalRandom.current().nextInt(KEY_SPACE);
    for (int i = KEY_BYTES - 1; i >= 1; i--) {
      k[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    return k;
  }

  /** A 100-byte value of random letters. */
  static byte[] value() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    byte[] v = new byte[VALUE_BYTES];
    for (int i = 0; i < v.length; i++) {
      v[i] = (byte) ('a' + r.nextInt(26));
    }
    return v;
  }

  /** One closed-loop client on its own channel. */
  private final class VirtualClient implements Consumer<String> {
    private final PutChannel channel;
    private long sentAt;

    VirtualClient(PutChannel channel) {
      this.channel = channel;
    }

    void issue() {
      if (phase == STOP) {
        outstanding.decrementAndGet();
        return;
      }
      sentAt = System.nanoTime();
      channel.put(key(), value(), this);
    }

    @Override
    public void accept(String failure) {
      long now = System.nanoTime();
      if (failure != null) {
        long e = errors.incrementAndGet();
        if (e <= 20) {
          System.err.println("put failed: " + failure);
        }
        retries.schedule(this::issue, 5, TimeUnit.MILLISECONDS);
        return;
      }
      if (phase == MEASURE) {
        completed.incrementAndGet();
        latencies.recordValue(Math.max(1, (now - sentAt) / 1000));
      }
      issue();
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
