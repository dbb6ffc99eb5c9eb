package dev.raftboot.bench.core;

import com.google.protobuf.ByteString;
import dev.raftboot.RawNode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Proposals through {@link RawNode}: the score is proposals per second, with 1, 16 or 256
 * proposals of 128 bytes between two Ready cycles.
 *
 * <p>One invocation proposes the batch on the leader and then runs one round: every node that has
 * a Ready processes it (append to {@code MemoryStorage}, apply, advance), then all messages are
 * delivered. In steady state each round commits one batch on the leader, so the auxiliary
 * {@code committed} counter (committed proposals per second, counted on the leader) matches the
 * score; a gap would mean the pipeline fell behind. With {@code -prof gc}, {@code
 * gc.alloc.rate.norm} is the allocation per proposal (across all nodes of the cluster).
 *
 * <p>The {@code _oneMsgProp} variants propose the batch with {@code RawNode.propose(List)}, one
 * {@code MsgProp} for the whole batch, as the starter's {@code RaftServer} does with the commands
 * that arrive while it is busy: the leader then appends once and sends one append per follower
 * instead of one per proposal.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ProposeBenchmark {

  static final int PAYLOAD = 128;

  private MemoryCluster one;
  private MemoryCluster three;
  private final ByteString payload = MemoryCluster.payload(PAYLOAD);

  @Setup(Level.Trial)
  public void setUp() {
    one = new MemoryCluster(1);
    three = new MemoryCluster(3);
  }

  /** Committed proposals on the leader, per second (auxiliary counter). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Committed {
    public long committed;
  }

  private long propose(MemoryCluster c, int n, Committed out) {
    RawNode leader = c.leader();
    for (int i = 0; i < n; i++) {
      leader.propose(payload);
    }
    long before = c.committedOnLeader;
    round(c);
    long done = c.committedOnLeader - before;
    out.committed += done;
    return done;
  }

  private final java.util.List<ByteString> batch256 = java.util.Collections.nCopies(256, payload);

  private long proposeAll(MemoryCluster c, java.util.List<ByteString> batch, Committed out) {
    c.leader().propose(batch);
    long before = c.committedOnLeader;
    round(c);
    long done = c.committedOnLeader - before;
    out.committed += done;
    return done;
  }

  /** Each node with a Ready processes one, then every queued message is delivered. */
  static void round(MemoryCluster c) {
    RawNode[] nodes = c.nodes;
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i].hasReady()) {
        c.handleReady(i, nodes[i].ready());
      }
    }
    c.deliverAll();
  }

  @Benchmark
  @OperationsPerInvocation(1)
  public long oneNode_batch1(Committed out) {
    return propose(one, 1, out);
  }

  @Benchmark
  @OperationsPerInvocation(16)
  public long oneNode_batch16(Committed out) {
    return propose(one, 16, out);
  }

  @Benchmark
  @OperationsPerInvocation(256)
  public long oneNode_batch256(Committed out) {
    return propose(one, 256, out);
  }

  @Benchmark
  @OperationsPerInvocation(1)
  public long threeNodes_batch1(Committed out) {
    return propose(three, 1, out);
  }

  @Benchmark
  @OperationsPerInvocation(16)
  public long threeNodes_batch16(Committed out) {
    return propose(three, 16, out);
  }

  @Benchmark
  @OperationsPerInvocation(256)
  public long threeNodes_batch256(Committed out) {
    return propose(three, 256, out);
  }

  @Benchmark
  @OperationsPerInvocation(256)
  public long oneNode_batch256_oneMsgProp(Committed out) {
    return proposeAll(one, batch256, out);
  }

  @Benchmark
  @OperationsPerInvocation(256)
  public long threeNodes_batch256_oneMsgProp(Committed out) {
    return proposeAll(three, batch256, out);
  }
}
