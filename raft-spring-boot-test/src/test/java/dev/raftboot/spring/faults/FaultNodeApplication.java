package dev.raftboot.spring.faults;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.autoconfigure.RaftAutoConfiguration;
import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.command.CommandCodec;
import dev.raftboot.spring.command.ReplicatedCallDispatcher;
import dev.raftboot.spring.test.ReplicatedMethodsWiring;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * One node of a {@link FaultCluster}: the raft auto-configuration (storage in an H2 file database
 * under {@code raft.storage.data-dir}, the {@code RaftServer}), the replicated-method layer and the
 * {@link KvStore}. The kit's cluster gives each node its transport on the shared in-memory network.
 *
 * <p>{@code faults.fake-read-barrier-node=<id>} makes node {@code id} the deliberately broken node
 * used to show that the check can fail: its replicated queries skip the read barrier, so a LOCAL
 * read is passed off as a LINEARIZABLE or LEASE one.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({RaftStorageAutoConfiguration.class, RaftAutoConfiguration.class})
@Import(ReplicatedMethodsWiring.class)
class FaultNodeApplication {

  static final String FAKE_READ_BARRIER_NODE = "faults.fake-read-barrier-node";

  @Bean
  ReplicatedCallDispatcher replicatedCallDispatcher(
      ObjectProvider<ReplicatedLog> log,
      CommandCodec codec,
      RaftProperties properties,
      Environment env) {
    boolean fake = env.getProperty(FAKE_READ_BARRIER_NODE, Long.class, 0L) == properties.getNodeId();
    return new ReplicatedCallDispatcher(
        () -> fake ? new FakeReadBarrier(log.getObject()) : log.getObject(),
        codec,
        properties.getCommandTimeout());
  }

  @Bean
  KvStore kvStore() {
    return new KvStore();
  }

  /** The broken variant: every read barrier is passed at once, whatever the consistency. */
  static final class FakeReadBarrier implements ReplicatedLog {

    private final ReplicatedLog log;

    FakeReadBarrier(ReplicatedLog log) {
      this.log = log;
    }

    @Override
    public CompletableFuture<Object> submit(ByteString command) {
      return log.submit(command);
    }

    @Override
    public CompletableFuture<Object> submit(ByteString command, Duration timeout) {
      return log.submit(command, timeout);
    }

    @Override
    public CompletableFuture<Void> readBarrier(ReadConsistency consistency) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isApplyThread() {
      return log.isApplyThread();
    }
  }
}
