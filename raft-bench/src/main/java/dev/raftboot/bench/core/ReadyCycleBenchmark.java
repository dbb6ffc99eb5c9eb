package dev.raftboot.bench.core;

import com.google.protobuf.ByteString;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one turn of the application's loop costs in raft-core, in nanoseconds: {@code hasReady()}
 * on an idle node, one proposal with its Ready/advance cycle, and a heartbeat round (tick, Ready,
 * heartbeats and their responses) on an idle three-node cluster.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ReadyCycleBenchmark {

  private MemoryCluster one;
  private MemoryCluster three;
  private MemoryCluster idle;
  private final ByteString payload = MemoryCluster.payload(ProposeBenchmark.PAYLOAD);

  @Setup(Level.Trial)
  public void setUp() {
    one = new MemoryCluster(1);
    three = new MemoryCluster(3);
    idle = new MemoryCluster(3);
  }

  /** The loop's poll when nothing happened: {@code hasReady()} on an idle leader. */
  @Benchmark
  public boolean hasReadyIdle() {
    return idle.leader().hasReady();
  }

  /** One proposal, then one Ready/advance cycle on a single-node cluster. */
  @Benchmark
  public long oneNode_propose1ReadyAdvance() {
    one.leader().propose(payload);
    ProposeBenchmark.round(one);
    return one.committedOnLeader;
  }

  /** One proposal, then one Ready/advance cycle on each of three nodes plus message delivery. */
  @Benchmark
  public long threeNodes_propose1Round() {
    three.leader().propose(payload);
    ProposeBenchmark.round(three);
    return three.committedOnLeader;
  }

  /** A leader tick (heartbeat timeout of one tick) and the rounds until the cluster is quiet. */
  @Benchmark
  public long threeNodes_heartbeatRound() {
    idle.leader().tick();
    idle.settle();
    return idle.committedOnLeader;
  }
}
