package dev.raftboot.spring.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The files of a {@link FileLogStorage} on a disk that can fail and lose power (test code only).
 * Writes reach the real file at once, so the running storage sees them; for every segment file the
 * content at its last {@code force} (or when it was opened) is remembered as what the disk holds.
 * {@link #cut} turns the power off: every channel fails from then on, and each segment keeps its
 * forced content plus, depending on the {@link PowerLossFileSystem.Loss}, nothing, a random prefix,
 * or a random prefix with some sectors of the lost part read back as zeros. Snapshot files and
 * renamed segments are forced before they are renamed, so they are kept as they are.
 *
 * <p>{@link #cutAfterNextWrite} cuts the power the moment a segment write returns, before any
 * force, so the cut certainly finds unforced bytes; a cut at an arbitrary instant mostly lands
 * while every segment is forced, because a force holds the disk far longer than a write.
 *
 * <p>{@link #failWrites} and {@link #failForces} make the next writes or forces throw, the first
 * after writing half of its bytes; {@link #ignoreForce} is a disk that acknowledges a force without
 * doing it, the broken variant the power-loss check must catch.
 */
final class LossyFileChannels implements LogFileChannels {

  private final Map<Path, byte[]> durable = new LinkedHashMap<>();
  private volatile boolean powerOff;
  private volatile boolean ignoreForce;
  private final AtomicInteger failWrites = new AtomicInteger();
  private final AtomicInteger failForces = new AtomicInteger();
  private PendingCut pendingCut;

  private record PendingCut(
      PowerLossFileSystem.Loss loss, Random random, CompletableFuture<Integer> undone) {}

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    if (powerOff) {
      throw new IOException("the power is off");
    }
    FileChannel real = FileChannel.open(path, options);
    if (!isSegment(path)) {
      return real;
    }
    synchronized (durable) {
      durable.putIfAbsent(path, Files.exists(path) ? Files.readAllBytes(path) : new byte[0]);
    }
    return new Lossy(path, real);
  }

  /** The next {@code n} writes to a segment fail (the first after writing half its bytes). */
  void failWrites(int n) {
    failWrites.set(n);
  }

  /** The next {@code n} forces of a segment fail, after the bytes reached the file. */
  void failForces(int n) {
    failForces.set(n);
  }

  /** Forces from now on do nothing, while claiming success. */
  void ignoreForce() {
    ignoreForce = true;
  }

  /**
   * Turns the power off and leaves each segment as a disk could after it: its forced content and
   * what {@code loss} keeps of the rest. Returns the number of unforced bytes lost or zeroed.
   */
  int cut(PowerLossFileSystem.Loss loss, Random random) throws IOException {
    powerOff = true;
    int lost = 0;
    synchronized (durable) {
      for (Map.Entry<Path, byte[]> e : durable.entrySet()) {
        Path path = e.getKey();
        if (!Files.exists(path)) {
          continue;
        }
        byte[] now = Files.readAllBytes(path);
        byte[] kept = e.getValue();
        if (now.length < kept.length
            || !Arrays.equals(now, 0, kept.length, kept, 0, kept.length)) {
          Files.write(path, kept);
          continue;
        }
        int extra = now.length - kept.length;
        int keep = loss == PowerLossFileSystem.Loss.ALL || extra == 0 ? 0 : random.nextInt(extra + 1);
        byte[] after = Arrays.copyOf(now, kept.length + keep);
        if (loss == PowerLossFileSystem.Loss.TORN && keep > 0) {
          // One sector of the kept part never made it: a newly appended sector reads as zeros.
          int from = kept.length + random.nextInt(keep);
          int sector = from - from % LogFileRecords.SECTOR;
          for (int i = Math.max(sector, kept.length);
              i < Math.min(sector + LogFileRecords.SECTOR, after.length);
              i++) {
            after[i] = 0;
            lost++;
          }
        }
        lost += now.length - after.length;
        Files.write(path, after);
      }
    }
    return lost;
  }

  /**
   * Arms a {@link #cut} that the next segment write makes right after its bytes reached the file.
   * The future completes with the number of unforced bytes lost or zeroed.
   */
  CompletableFuture<Integer> cutAfterNextWrite(PowerLossFileSystem.Loss loss, Random random) {
    synchronized (durable) {
      pendingCut = new PendingCut(loss, random, new CompletableFuture<>());
      return pendingCut.undone;
    }
  }

  private void cutIfArmed() throws IOException {
    PendingCut armed = pendingCut;
    if (armed != null) {
      pendingCut = null;
      armed.undone.complete(cut(armed.loss, armed.random));
    }
  }

  private static boolean isSegment(Path path) {
    String name = path.getFileName().toString();
    return name.startsWith("log-") && name.endsWith(".raft");
  }

  private void check() throws IOException {
    if (powerOff) {
      throw new IOException("the power is off");
    }
  }

  /** A segment's channel: the real one, with the failures and the force bookkeeping above. */
  private final class Lossy extends FileChannel {
    private final Path path;
    private final FileChannel real;

    Lossy(Path path, FileChannel real) {
      this.path = path;
      this.real = real;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      // Under the lock that cut takes: a write happens wholly before the power goes or not at all.
      synchronized (durable) {
        check();
        if (failWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          ByteBuffer half = src.duplicate();
          half.limit(half.position() + half.remaining() / 2);
          real.write(half, position);
          throw new IOException("injected write failure");
        }
        int written = real.write(src, position);
        cutIfArmed();
        return written;
      }
    }

    @Override
    public void force(boolean metaData) throws IOException {
      // A force that returns made the bytes durable, even if the power goes a moment later.
      synchronized (durable) {
        check();
        if (failForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new IOException("injected force failure");
        }
        if (ignoreForce) {
          return;
        }
        real.force(metaData);
        durable.put(path, Files.readAllBytes(path));
      }
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      synchronized (durable) {
        check();
        real.truncate(size);
        return this;
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      check();
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      check();
      return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      throw new UnsupportedOperationException("the storage writes at explicit positions");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException("the storage writes at explicit positions");
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      check();
      return real.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      check();
      return real.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }
}
