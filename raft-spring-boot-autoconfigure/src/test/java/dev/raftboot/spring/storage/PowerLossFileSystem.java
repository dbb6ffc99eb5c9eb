package dev.raftboot.spring.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.h2.store.fs.FileBaseDefault;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system ({@code jdbc:h2:powerloss:/dir/name}) that behaves like a disk whose page
 * cache is lost with the power: every write goes to the real file at once, so the running database
 * sees it, but the bytes it replaced are remembered until the file is forced. {@link #cut} turns
 * the power off: every channel fails from then on, and the writes since each file's last force are
 * undone, all of them or all after a random prefix, optionally tearing the first lost write so
 * that only some of its 512-byte sectors reached the disk. What is left on disk is what a machine
 * that lost power could have left.
 *
 * <p>Test code only. Channels are shared by all users of the class: one test at a time.
 */
public final class PowerLossFileSystem extends FilePathWrapper {

  static final String SCHEME = "powerloss";
  private static final int SECTOR = 512;

  /** How much of what was written since the last force survives the power cut. */
  enum Loss {
    /** Nothing since the last force. */
    ALL,
    /** A random prefix of the writes since the last force. */
    PREFIX,
    /** A random prefix, and the next write only in part (some of its sectors). */
    TORN
  }

  private static final List<LossyChannel> channels = new ArrayList<>();

  /** A disk that acknowledges fsync without doing it: the broken variant the tests must catch. */
  private static volatile boolean ignoreForce;

  static {
    FilePath.register(new PowerLossFileSystem());
  }

  /** H2 makes one instance per path it opens. */
  public PowerLossFileSystem() {}

  /** Registers the scheme with H2 (done once, on first use of the class). */
  static void install() {}

  /** Forgets the channels of an earlier test; forcing works again. */
  static synchronized void reset() {
    channels.clear();
    ignoreForce = false;
  }

  /** Makes every force from now on return without making anything durable. */
  static void ignoreForce() {
    ignoreForce = true;
  }

  /**
   * Cuts the power: from now on every open channel fails, and each file loses what {@code loss}
   * says of its unforced writes.
   *
   * @return how many unforced writes were undone, over all files
   */
  static synchronized int cut(Loss loss, Random random) throws IOException {
    int undone = 0;
    for (LossyChannel channel : channels) {
      undone += channel.powerCut(loss, random);
    }
    channels.clear();
    return undone;
  }

  /** How many writes since their file's last force the open channels hold. */
  static synchronized int unforcedWrites() {
    int n = 0;
    for (LossyChannel channel : channels) {
      n += channel.undo.size();
    }
    return n;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    LossyChannel channel = new LossyChannel(getBase().open(mode), getBase());
    synchronized (PowerLossFileSystem.class) {
      channels.add(channel);
    }
    return channel;
  }

  /** The bytes a write replaced: {@code before} at {@code position}, and the size before it. */
  private record Undo(long position, byte[] before, long sizeBefore) {}

  private static final class LossyChannel extends FileBaseDefault {

    private FileChannel file;

    /** Where the file is: H2 may close a channel before the cut, whose unforced writes are undone all the same. */
    private final FilePath path;
    private final List<Undo> undo = new ArrayList<>();
    private boolean powerLost;

    LossyChannel(FileChannel file, FilePath path) {
      this.path = path;
      this.file = file;
    }

    @Override
    public synchronized int read(ByteBuffer dst, long position) throws IOException {
      alive();
      return file.read(dst, position);
    }

    @Override
    public synchronized int write(ByteBuffer src, long position) throws IOException {
      alive();
      long size = file.size();
      int length = src.remaining();
      int overlap = (int) Math.max(0, Math.min(length, size - position));
      ByteBuffer before = ByteBuffer.allocate(overlap);
      while (before.hasRemaining() && file.read(before, position + before.position()) >= 0) {
        // read until the overlapping range is copied
      }
      undo.add(new Undo(position, before.array(), size));
      return file.write(src, position);
    }

    @Override
    protected synchronized void implTruncate(long newLength) throws IOException {
      alive();
      long size = file.size();
      if (newLength < size) {
        ByteBuffer tail = ByteBuffer.allocate((int) (size - newLength));
        file.read(tail, newLength);
        undo.add(new Undo(newLength, tail.array(), size));
      }
      file.truncate(newLength);
    }

    @Override
    public synchronized long size() throws IOException {
      alive();
      return file.size();
    }

    @Override
    public synchronized void force(boolean metaData) throws IOException {
      alive();
      if (!ignoreForce) {
        file.force(metaData);
        undo.clear();
      }
    }

    @Override
    public synchronized FileLock tryLock(long position, long size, boolean shared)
        throws IOException {
      alive();
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }

    private void alive() throws IOException {
      if (powerLost) {
        throw new IOException("power lost");
      }
    }

    /** Undoes the writes that did not survive, newest first, and closes the file. */
    synchronized int powerCut(Loss loss, Random random) throws IOException {
      powerLost = true;
      if (!file.isOpen()) {
        if (!path.exists()) {
          undo.clear();
          return 0; // deleted since: nothing of it is left to lose
        }
        file = path.open("rw");
      }
      int keep = loss == Loss.ALL ? 0 : random.nextInt(undo.size() + 1);
      int undone = 0;
      for (int i = undo.size() - 1; i >= keep; i--) {
        Undo u = undo.get(i);
        boolean tear = loss == Loss.TORN && i == keep;
        restore(u, tear ? random : null);
        undone++;
      }
      undo.clear();
      file.force(true);
      file.close();
      return undone;
    }

    /** Puts back what {@code u} replaced; with a random source, only some of its sectors. */
    private void restore(Undo u, Random tear) throws IOException {
      int sectors = (u.before.length + SECTOR - 1) / SECTOR;
      for (int s = 0; s < sectors; s++) {
        if (tear != null && tear.nextBoolean()) {
          continue; // this sector of the torn write reached the disk
        }
        int from = s * SECTOR;
        int to = Math.min(u.before.length, from + SECTOR);
        file.write(ByteBuffer.wrap(u.before, from, to - from), u.position + from);
      }
      if (tear == null && file.size() > u.sizeBefore) {
        file.truncate(u.sizeBefore);
      }
    }
  }
}
