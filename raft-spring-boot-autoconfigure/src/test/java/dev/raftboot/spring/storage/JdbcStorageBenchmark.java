package dev.raftboot.spring.storage;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Measures how many {@link JdbcStorage#save} calls per second each database sustains with commits
 * synced to disk, for 1 and 16 entries of 128 bytes per save (one save is one raft Ready), plus an
 * unsynced baseline where the database allows one per transaction. A program, not a test: it prints
 * numbers and asserts nothing. Run it with
 *
 * <pre>
 * mvn -q -pl raft-spring-boot-autoconfigure -am test-compile
 * mvn -q -pl raft-spring-boot-autoconfigure exec:exec -Dexec.executable=java \
 *     -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.raftboot.spring.storage.JdbcStorageBenchmark"
 * </pre>
 *
 * <p>or with {@code java -cp} and the test class path. System property {@code seconds} sets the
 * measuring time per case (default 5). PostgreSQL and MariaDB are measured when reachable (see
 * {@link TestDatabases} for the environment variables).
 */
public final class JdbcStorageBenchmark {

  private static final int ENTRY_BYTES = 128;

  private JdbcStorageBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("seconds", "5"));
    System.out.printf(
        Locale.ROOT,
        "JdbcStorage.save throughput, %d cores, %.0f s per case, %d-byte entries%n",
        Runtime.getRuntime().availableProcessors(),
        seconds,
        ENTRY_BYTES);
    Path dir = Files.createTempDirectory("raft-bench");
    try (HikariDataSource h2 = TestDatabases.h2File(dir)) {
      run("H2 file", h2, seconds, JdbcStorageBenchmark::h2Unsynced);
    }
    runIfReachable(
        "PostgreSQL",
        TestDatabases::postgresqlOrSkip,
        seconds,
        JdbcStorageBenchmark::postgresUnsynced);
    runIfReachable("MariaDB", TestDatabases::mariadbOrSkip, seconds, null);
  }

  private interface Baseline {
    void commit(Connection c, long nodeId, List<Entry> entries) throws SQLException;
  }

  private static void runIfReachable(
      String name, Supplier<HikariDataSource> open, double seconds, Baseline baseline)
      throws Exception {
    HikariDataSource ds;
    try {
      ds = open.get();
    } catch (RuntimeException | Error e) {
      System.out.println(name + ": not reachable, skipped (" + e.getMessage() + ")");
      return;
    }
    try (ds) {
      run(name, ds, seconds, baseline);
    }
  }

  private static void run(String name, HikariDataSource ds, double seconds, Baseline baseline)
      throws Exception {
    TestDatabases.createSchema(ds);
    long nodeId = TestDatabases.uniqueNodeId();
    try {
      JdbcStorage storage = JdbcStorage.create(ds, nodeId);
      System.out.println(name + ": " + storage.durabilityDescription());
      long[] next = {1};
      for (int perSave : new int[] {1, 16}) {
        measure(storage, next, perSave, seconds / 5); // warm-up
        Result r = measure(storage, next, perSave, seconds);
        System.out.printf(
            Locale.ROOT,
            "  %-10s %2d entries/save: %7.0f saves/s  %8.0f entries/s  mean %6.2f ms%n",
            name,
            perSave,
            r.savesPerSecond(),
            r.savesPerSecond() * perSave,
            1000 / r.savesPerSecond());
      }
      if (baseline != null) {
        for (int perSave : new int[] {1, 16}) {
          Result r = measureBaseline(ds, nodeId, next, perSave, seconds, baseline);
          System.out.printf(
              Locale.ROOT,
              "  %-10s %2d entries/commit, NOT synced (baseline): %7.0f commits/s%n",
              name,
              perSave,
              r.savesPerSecond());
        }
      }
    } finally {
      TestDatabases.deleteNode(ds, nodeId);
    }
  }

  private record Result(double savesPerSecond) {}

  private static List<Entry> batch(long[] next, int count, long term) {
    List<Entry> entries = new ArrayList<>(count);
    byte[] data = new byte[ENTRY_BYTES];
    for (int i = 0; i < count; i++) {
      data[0] = (byte) next[0];
      entries.add(
          Entry.newBuilder()
              .setIndex(next[0]++)
              .setTerm(term)
              .setType(EntryType.EntryNormal)
              .setData(ByteString.copyFrom(data))
              .build());
    }
    return entries;
  }

  private static Result measure(JdbcStorage storage, long[] next, int perSave, double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long saves = 0;
    while (System.nanoTime() < end) {
      List<Entry> entries = batch(next, perSave, 1);
      HardState hs = HardState.newBuilder().setTerm(1).setVote(1).setCommit(next[0] - 1).build();
      storage.save(hs, entries, Snapshot.getDefaultInstance());
      saves++;
    }
    return new Result(saves / ((System.nanoTime() - start) / 1e9));
  }

  private static Result measureBaseline(
      DataSource ds, long nodeId, long[] next, int perSave, double seconds, Baseline baseline)
      throws SQLException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long commits = 0;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      while (System.nanoTime() < end) {
        baseline.commit(c, nodeId, batch(next, perSave, 1));
        commits++;
      }
      c.setAutoCommit(true);
    }
    return new Result(commits / ((System.nanoTime() - start) / 1e9));
  }

  private static void insert(Connection c, long nodeId, List<Entry> entries) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO raft_cluster_log (cluster_id, node_id, idx, term, type, data)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Entry e : entries) {
        ps.setString(1, JdbcStorage.DEFAULT_CLUSTER_ID);
        ps.setLong(2, nodeId);
        ps.setLong(3, e.getIndex());
        ps.setLong(4, e.getTerm());
        ps.setShort(5, (short) 0);
        ps.setBytes(6, e.getData().toByteArray());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The same batch insert and a plain commit, which H2 neither writes out nor syncs at once. */
  private static void h2Unsynced(Connection c, long nodeId, List<Entry> entries)
      throws SQLException {
    insert(c, nodeId, entries);
    c.commit();
  }

  /** The same batch insert, committed asynchronously (synchronous_commit off for it). */
  private static void postgresUnsynced(Connection c, long nodeId, List<Entry> entries)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET LOCAL synchronous_commit TO off");
    }
    insert(c, nodeId, entries);
    c.commit();
  }
}
