package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReadTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller learns that its deadline passed at the first tick after it, not many ticks later: one
 * node of three runs alone (no leader can be elected) with ticks of {@value #TICK_MS} ms and a
 * {@value #TIMEOUT_MS} ms command timeout. Checking deadlines only on every tenth tick, or a read's
 * only once its unanswered round is given up after two election timeouts, would answer after ten
 * ticks (5 s) or more, past the wait below.
 */
class CommandDeadlineTest {

  private static final long TICK_MS = 500;
  private static final long TIMEOUT_MS = 200;
  /** Six ticks past the deadline (slack for a loaded machine), and short of ten. */
  private static final long ANSWERED_WITHIN_MS = TIMEOUT_MS + 6 * TICK_MS;

  @TempDir Path dir;

  private ServerCluster cluster;
  private RaftServer alone;

  @BeforeEach
  void oneNodeOfThree() {
    cluster =
        new ServerCluster(dir, 3, 0, 0)
            .adjustSettings(
                (id, s) ->
                    new RaftServerSettings(
                        s.nodeId(),
                        s.clusterId(),
                        s.peers(),
                        s.join(),
                        Duration.ofMillis(TICK_MS),
                        s.raft(),
                        Duration.ofMillis(TIMEOUT_MS),
                        s.snapshotEntries(),
                        s.snapshotKeepEntries(),
                        s.idempotencyKeys()));
    alone = cluster.start(1).server();
  }

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aCommandWithoutALeaderFailsAtTheFirstTickAfterItsDeadline() {
    CompletableFuture<Object> result = alone.submit(ByteString.copyFromUtf8("k=v"));
    Throwable failure = failureWithin(result);
    assertThat(failure)
        .as("never proposed: no leader took it, so it was certainly not applied")
        .isInstanceOf(NoLeaderException.class);
    assertThat(alone.metrics().proposalsFailed()).isEqualTo(1);
  }

  @Test
  void aReadWithoutALeaderFailsAtTheFirstTickAfterItsDeadline() {
    CompletableFuture<Void> read = alone.readBarrier(ReadConsistency.LINEARIZABLE);
    assertThat(failureWithin(read)).isInstanceOf(ReadTimeoutException.class);
  }

  private static Throwable failureWithin(CompletableFuture<?> future) {
    try {
      future.get(ANSWERED_WITHIN_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(
          "no answer " + ANSWERED_WITHIN_MS + " ms after a " + TIMEOUT_MS + " ms deadline", e);
    }
    throw new AssertionError("completed without a leader");
  }
}
