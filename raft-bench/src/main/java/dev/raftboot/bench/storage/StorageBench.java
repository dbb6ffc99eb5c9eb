package dev.raftboot.bench.storage;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * What one {@link JdbcStorage#save} costs per entry, as the persist stage calls it: batches of 1,
 * 16 and 256 entries of {@value #ENTRY_BYTES} bytes with a hard state, synced, one after the other
 * from one thread. Prints entries per second, the saving thread's CPU time per entry (the
 * database server's own CPU is not in it for PostgreSQL and MariaDB; embedded H2 works on the
 * calling thread, apart from its background writer), the same for an unsynced save of a hard state
 * alone (row {@code commit}: what a commit-index update costs) and, for H2, the database file's size per
 * entry after a number of saves, with and without compaction. A program, not a test; run it with
 *
 * <pre>
 * mvn -B -o -q -pl raft-bench -am compile
 * mvn -B -o -q -pl raft-bench dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp raft-bench/target/classes:$(cat /tmp/cp.txt) dev.raftboot.bench.storage.StorageBench
 * </pre>
 *
 * System properties: {@code saves} (saves per case, default 2000; batches of 256 use a tenth),
 * {@code databases} (default {@code h2,postgresql,mariadb}), {@code postgresUrl}, {@code
 * mariadbUrl} (the test servers of the storage tests by default), {@code sizeEntries} (entries
 * written for the H2 size measurement, default 50000; 0 skips it), {@code h2Settings} (appended to the H2 URL
 * to try settings, e.g. {@code ;RETENTION_TIME=0}).
 */
public final class StorageBench {

  static final int ENTRY_BYTES = 150;
  private static final int[] BATCHES = {1, 16, 256};
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private StorageBench() {}

  public static void main(String[] args) throws Exception {
    int saves = Integer.getInteger("saves", 2000);
    int sizeEntries = Integer.getInteger("sizeEntries", 50_000);
    List<String> databases =
        List.of(System.getProperty("databases", "h2,postgresql,mariadb").split(",")).stream()
            .map(String::trim)
            .filter(d -> !d.isEmpty())
            .toList();
    System.out.printf(
        Locale.ROOT,
        "JdbcStorage.save, synced, hard state in every save, %d-byte entries, %d cores%n",
        ENTRY_BYTES,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "%-11s %6s %8s %11s %12s %11s%n",
        "database",
        "batch",
        "saves",
        "entries/s",
        "CPU us/entry",
        "ms/save");
    for (String database : databases) {
      switch (database) {
        case "h2" -> {
          Path dir = Files.createTempDirectory("raft-storage-bench");
          try (HikariDataSource ds = h2(dir)) {
            throughput("H2 file", ds, saves);
          } finally {
            delete(dir);
          }
        }
        case "postgresql" ->
            withServer(
                "PostgreSQL",
                System.getProperty("postgresUrl", "jdbc:postgresql://127.0.0.1:5432/test"),
                "postgres",
                saves);
        case "mariadb" ->
            withServer(
                "MariaDB",
                System.getProperty("mariadbUrl", "jdbc:mariadb://127.0.0.1:3306/test"),
                "root",
                saves);
        default -> throw new IllegalArgumentException("unknown database " + database);
      }
    }
    if (sizeEntries <= 0) {
      return;
    }
    System.out.printf(Locale.ROOT, "%nH2 file size after %d entries%n", sizeEntries);
    System.out.printf(Locale.ROOT, "%-6s %-22s %12s %12s%n", "batch", "compaction", "file bytes", "bytes/entry");
    for (int batch : new int[] {1, 16, 256}) {
      for (boolean compact : new boolean[] {false, true}) {
        fileSize(batch, compact, sizeEntries);
      }
    }
  }

  /** The pool the starter builds for its own H2 file database (RaftStorageDataSources). */
  static HikariDataSource h2(Path dir) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(
        "jdbc:h2:file:"
            + dir.resolve("raft").toAbsolutePath()
            + ";DB_CLOSE_ON_EXIT=FALSE"
            + System.getProperty("h2Settings", ""));
    ds.setUsername("sa");
    ds.setPassword("");
    ds.setMaximumPoolSize(4);
    ds.setMinimumIdle(1);
    return ds;
  }

  private static void withServer(String name, String url, String user, int saves) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(url);
    ds.setUsername(user);
    ds.setPassword("");
    ds.setMaximumPoolSize(4);
    try (ds) {
      throughput(name, ds, saves);
    } catch (RuntimeException e) {
      System.out.println(name + ": skipped (" + e.getMessage() + ")");
    }
  }

  private static void throughput(String name, HikariDataSource ds, int saves) {
    JdbcStorageSchema.create(ds);
    long nodeId = ThreadLocalRandom.current().nextLong(1L << 32, Long.MAX_VALUE);
    try {
      JdbcStorage storage = JdbcStorage.create(ds, nodeId);
      long[] next = {1};
      for (int batch : BATCHES) {
        int count = batch >= 256 ? Math.max(20, saves / 10) : saves;
        measure(name, Integer.toString(batch), count, batch, n -> run(storage, next, batch, n));
      }
      // What a commit-index update costs: a hard state alone, unsynced.
      measure(name, "commit", saves, 0, n -> commitUpdates(storage, next[0] - 1, n));
    } finally {
      deleteNode(ds, nodeId);
    }
  }

  /**
   * Runs {@code saves} saves (after a fifth as many to warm up) and prints their row: entries per
   * second and CPU per entry, or with {@code entriesPerSave} 0 CPU per save.
   */
  private static void measure(
      String name, String kind, int saves, int entriesPerSave, IntConsumer savesRun) {
    savesRun.accept(Math.max(10, saves / 5));
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    savesRun.accept(saves);
    long nanos = System.nanoTime() - t0;
    long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
    long entries = (long) saves * entriesPerSave;
    System.out.printf(
        Locale.ROOT,
        "%-11s %6s %8d %11s %12.1f %11.3f%n",
        name,
        kind,
        saves,
        entries > 0 ? String.format(Locale.ROOT, "%.0f", entries / (nanos / 1e9)) : "-",
        cpu / 1e3 / (entries > 0 ? entries : saves),
        nanos / 1e6 / saves);
  }

  private static void run(JdbcStorage storage, long[] next, int batch, int saves) {
    for (int s = 0; s < saves; s++) {
      List<Entry> entries = batch(next, batch);
      HardState hs = HardState.newBuilder().setTerm(1).setVote(1).setCommit(next[0] - 1).build();
      storage.save(hs, entries, Snapshot.getDefaultInstance());
    }
  }

  /** {@code saves} unsynced saves of a hard state alone, committing {@code last} (written each time). */
  private static void commitUpdates(JdbcStorage storage, long last, int saves) {
    HardState hs = HardState.newBuilder().setTerm(1).setVote(1).setCommit(last).build();
    for (int s = 0; s < saves; s++) {
      storage.save(hs, List.of(), Snapshot.getDefaultInstance(), false);
    }
  }

  /**
   * Writes {@code total} entries in saves of {@code batch} into a new H2 file and prints the file
   * size per entry; with {@code compact}, a snapshot every 10000 entries compacts the log to the
   * newest 5000, as raft.snapshot settings of that order would.
   */
  private static void fileSize(int batch, boolean compact, int total) throws IOException {
    Path dir = Files.createTempDirectory("raft-storage-size");
    try {
      try (HikariDataSource ds = h2(dir)) {
        JdbcStorageSchema.create(ds);
        JdbcStorage storage = JdbcStorage.create(ds, 1);
        long[] next = {1};
        long compacted = 0;
        while (next[0] <= total) {
          run(storage, next, batch, 1);
          long last = next[0] - 1;
          if (compact && last - compacted >= 10_000) {
            storage.createSnapshot(last, null, ByteString.EMPTY);
            storage.compact(last - 5000);
            compacted = last;
          }
        }
      }
      long bytes = Files.size(dir.resolve("raft.mv.db"));
      System.out.printf(
          Locale.ROOT,
          "%-6d %-22s %12d %12.1f%n",
          batch,
          compact ? "every 10000, keep 5000" : "none",
          bytes,
          (double) bytes / total);
    } finally {
      delete(dir);
    }
  }

  private static List<Entry> batch(long[] next, int count) {
    List<Entry> entries = new ArrayList<>(count);
    byte[] data = new byte[ENTRY_BYTES];
    for (int i = 0; i < count; i++) {
      ThreadLocalRandom.current().nextBytes(data);
      entries.add(
          Entry.newBuilder()
              .setIndex(next[0]++)
              .setTerm(1)
              .setType(EntryType.EntryNormal)
              .setData(ByteString.copyFrom(data))
              .build());
    }
    return entries;
  }

  private static void deleteNode(HikariDataSource ds, long nodeId) {
    try (Connection c = ds.getConnection()) {
      for (String table :
          new String[] {"raft_cluster_log", "raft_cluster_hard_state", "raft_cluster_snapshot"}) {
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM " + table + " WHERE node_id = ?")) {
          ps.setLong(1, nodeId);
          ps.executeUpdate();
        }
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
