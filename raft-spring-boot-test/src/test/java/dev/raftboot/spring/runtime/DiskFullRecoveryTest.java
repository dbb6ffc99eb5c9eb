package dev.raftboot.spring.runtime;

import static dev.raftboot.spring.runtime.FailingNodeCluster.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.spring.autoconfigure.storage.ClosedDatabaseEviction;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: node 1 keeps its H2 file database on a small tmpfs, which a ballast file fills
 * under load. The node must stop taking part and refuse reads of every consistency; once the
 * ballast is deleted, it must recover by itself ({@code restart-node}), catch up, and every
 * acknowledged write must be on every node. Mounting needs root (as on the project's machines and
 * CI); elsewhere the test is skipped with a message.
 */
class DiskFullRecoveryTest {

  /** Small enough to fill in a moment, large enough for the node's database under this load. */
  private static final String SIZE = "16m";

  private static Path mountPoint;
  private static boolean mounted;

  @TempDir Path dir;

  private final FailingNodeCluster cluster = new FailingNodeCluster();

  @BeforeAll
  static void mountSmallFilesystem() throws Exception {
    mountPoint = Files.createTempDirectory("raft-disk-full-");
    String output = run("mount", "-t", "tmpfs", "-o", "size=" + SIZE, "tmpfs", mountPoint.toString());
    mounted = output == null;
    assumeTrue(
        mounted,
        "DiskFullRecoveryTest needs to mount a tmpfs (as root, or with CAP_SYS_ADMIN), which failed: "
            + output);
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mounted) {
      String output = run("umount", mountPoint.toString());
      if (output != null) {
        run("umount", "-l", mountPoint.toString());
      }
    }
    Files.deleteIfExists(mountPoint);
  }

  @AfterEach
  void stopAll() {
    cluster.close();
  }

  @Test
  void aNodeOnAFullDiskIsOutUntilSpaceIsFreedThenRecoversByItself() throws Exception {
    StorageFailurePolicy policy = new StorageFailurePolicy.RestartNode(Duration.ofMillis(20));
    for (long id = 1; id <= 3; id++) {
      Path db = (id == 1 ? mountPoint : dir).resolve("n" + id).resolve("raft");
      HikariDataSource ds = new HikariDataSource();
      ds.setJdbcUrl("jdbc:h2:file:" + db.toAbsolutePath());
      // As the starter configures raft's own pool: H2 closes the database when a write fails.
      ds.setExceptionOverride(new ClosedDatabaseEviction());
      JdbcStorageSchema.create(ds);
      cluster.closeLater(ds);
      cluster.start(id, JdbcStorage.create(ds, id), UnaryOperator.identity(), policy, 200);
    }
    cluster.awaitLeader();
    cluster.startLoad();
    cluster.awaitAcked(50, "50 writes acknowledged");

    Path ballast = mountPoint.resolve("ballast");
    fill(ballast);
    RaftServer node = cluster.servers.get(1L);
    awaitUntil(() -> node.failure().isPresent(), "node 1 failed to write on the full disk");
    String reason = node.failure().orElseThrow();
    assertThat(reason).startsWith("storage failure: ").contains("No space left on device");
    cluster.assertRefusesEverything(1, "storage failure");
    cluster.awaitAcked(50, "the others kept committing");
    // The disk is still full, so every probe fails: the node is still out, whatever the timing.
    fill(ballast);
    cluster.assertRefusesEverything(1, "storage failure");

    Files.delete(ballast);
    cluster.awaitServing(1);
    cluster.awaitAcked(50, "writes through every node, the recovered one included");
    cluster.stopLoad();
    cluster.assertAllAckedEverywhere();
    System.out.println("DiskFullRecoveryTest: node 1 failed with [" + reason + "], recovered; "
        + cluster.acked.size() + " acknowledged writes on every node");
  }

  /** Writes zeros to {@code ballast} until the filesystem is full. */
  private static void fill(Path ballast) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    try (FileChannel ch =
        FileChannel.open(ballast, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      while (true) {
        chunk.clear();
        ch.write(chunk);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
        throw full;
      }
    }
  }

  /** Runs a command; null if it succeeded, else what it printed. */
  private static String run(String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.toString();
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "timed out: " + String.join(" ", command);
    }
    return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + output;
  }
}
